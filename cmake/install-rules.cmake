# Install rules (top-level builds only): headers, the library, the exported target
# asyncjobs::asyncjobs and a package config, so that an outside project can do
#     find_package(asyncjobs CONFIG REQUIRED)
#     target_link_libraries(app PRIVATE asyncjobs::asyncjobs)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ASYNCJOBS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/asyncjobs"
    CACHE STRING "Where the asyncjobs CMake package files go, relative to the install prefix")
mark_as_advanced(ASYNCJOBS_INSTALL_CMAKEDIR)

# detail/ is installed too: the public headers include it.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/lib/include/asyncjobs"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    COMPONENT asyncjobs_development
    FILES_MATCHING PATTERN "*.hpp")

install(TARGETS asyncjobs
    EXPORT asyncjobs-targets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT asyncjobs_runtime
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_runtime
        NAMELINK_COMPONENT asyncjobs_development
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_development)

install(EXPORT asyncjobs-targets
    NAMESPACE asyncjobs::
    DESTINATION "${ASYNCJOBS_INSTALL_CMAKEDIR}"
    COMPONENT asyncjobs_development)

# The Boost components the installed package must find again: those in the target's link
# interface. A static library carries its PRIVATE links into the export as well
# ($<LINK_ONLY:...>), so then every Boost component it links counts. Reading them off the
# target keeps the config right when lib/CMakeLists.txt gains or loses a component.
get_target_property(_asyncjobs_type asyncjobs TYPE)
get_target_property(_asyncjobs_links asyncjobs INTERFACE_LINK_LIBRARIES)
if(_asyncjobs_type STREQUAL "STATIC_LIBRARY")
    get_target_property(_asyncjobs_private_links asyncjobs LINK_LIBRARIES)
    list(APPEND _asyncjobs_links ${_asyncjobs_private_links})
endif()
set(ASYNCJOBS_BOOST_COMPONENTS thread chrono)
string(REGEX MATCHALL "Boost::[A-Za-z0-9_]+" _asyncjobs_boost_targets "${_asyncjobs_links}")
foreach(_target IN LISTS _asyncjobs_boost_targets)
    string(REPLACE "Boost::" "" _component "${_target}")
    # Interface-only targets of BoostConfig, not components.
    if(NOT _component MATCHES "^(boost|headers|diagnostic_definitions|disable_autolinking|dynamic_linking|all)$")
        list(APPEND ASYNCJOBS_BOOST_COMPONENTS ${_component})
    endif()
endforeach()
list(REMOVE_DUPLICATES ASYNCJOBS_BOOST_COMPONENTS)
list(JOIN ASYNCJOBS_BOOST_COMPONENTS " " ASYNCJOBS_BOOST_COMPONENTS)

configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/asyncjobs-config.cmake.in"
    "${PROJECT_BINARY_DIR}/asyncjobs-config.cmake"
    INSTALL_DESTINATION "${ASYNCJOBS_INSTALL_CMAKEDIR}"
    NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/asyncjobs-config-version.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMajorVersion)
install(FILES
        "${PROJECT_BINARY_DIR}/asyncjobs-config.cmake"
        "${PROJECT_BINARY_DIR}/asyncjobs-config-version.cmake"
    DESTINATION "${ASYNCJOBS_INSTALL_CMAKEDIR}"
    COMPONENT asyncjobs_development)

unset(_asyncjobs_type)
unset(_asyncjobs_links)
unset(_asyncjobs_private_links)
unset(_asyncjobs_boost_targets)
unset(_target)
unset(_component)
