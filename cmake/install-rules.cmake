# Install rules (ASYNCJOBS_INSTALL, on by default, vendored or not): headers, the library,
# the exported target asyncjobs::asyncjobs, a package config, asyncjobs.pc and the licence,
# so that an outside project can do
#     find_package(asyncjobs CONFIG REQUIRED)
#     target_link_libraries(app PRIVATE asyncjobs::asyncjobs)
# or c++ -std=c++20 app.cpp $(pkg-config --cflags --libs asyncjobs)
# (asyncjobs-mpi for asyncjobs::mpi, when built with ASYNCJOBS_MPI).
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
install(FILES "${PROJECT_BINARY_DIR}/include/asyncjobs/version.hpp"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/asyncjobs"
    COMPONENT asyncjobs_development)
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/asyncjobs"
    COMPONENT asyncjobs_runtime)

install(TARGETS asyncjobs
    EXPORT asyncjobs-targets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT asyncjobs_runtime
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_runtime
        NAMELINK_COMPONENT asyncjobs_development
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_development)

# asyncjobs::mpi (ASYNCJOBS_MPI) joins the same export set; its package finds MPI again.
set(ASYNCJOBS_FIND_MPI "")
if(ASYNCJOBS_MPI)
    install(TARGETS asyncjobs_mpi
        EXPORT asyncjobs-targets
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT asyncjobs_runtime
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_runtime
            NAMELINK_COMPONENT asyncjobs_development
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT asyncjobs_development)
    # Quietly: a consumer that does not link asyncjobs::mpi needs no MPI (an imported target
    # is only looked for by what links it).
    set(ASYNCJOBS_FIND_MPI "set(MPI_CXX_SKIP_MPICXX ON)\nfind_package(MPI QUIET COMPONENTS CXX)")
endif()

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

# The Boost the package was built with, exactly: libasyncjobs holds code compiled from that
# Boost's headers, and Boost keeps no ABI between releases, so a consumer that found another
# Boost would mix the two (README, Dependencies: Boost 1.81 only).
set(ASYNCJOBS_BOOST_VERSION "${Boost_VERSION}")

configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/asyncjobs-config.cmake.in"
    "${PROJECT_BINARY_DIR}/asyncjobs-config.cmake"
    INSTALL_DESTINATION "${ASYNCJOBS_INSTALL_CMAKEDIR}"
    NO_SET_AND_CHECK_MACRO)
# The same promise as the soname (lib/CMakeLists.txt): within 0.x a minor release may break
# compatibility, so find_package(asyncjobs 0.1) accepts 0.1.z only; from 1.0, any 1.y.
if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(ASYNCJOBS_PACKAGE_COMPATIBILITY SameMinorVersion)
else()
    set(ASYNCJOBS_PACKAGE_COMPATIBILITY SameMajorVersion)
endif()
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/asyncjobs-config-version.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY ${ASYNCJOBS_PACKAGE_COMPATIBILITY})
install(FILES
        "${PROJECT_BINARY_DIR}/asyncjobs-config.cmake"
        "${PROJECT_BINARY_DIR}/asyncjobs-config-version.cmake"
    DESTINATION "${ASYNCJOBS_INSTALL_CMAKEDIR}"
    COMPONENT asyncjobs_development)

# asyncjobs.pc: relocatable (prefix from the .pc file's own place), Boost by library name.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(_asyncjobs_pcdir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
    set(ASYNCJOBS_PC_PREFIX_FROM_PCDIR "")
    set(ASYNCJOBS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
    set(_asyncjobs_pcdir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
    file(RELATIVE_PATH ASYNCJOBS_PC_PREFIX_FROM_PCDIR "/prefix/${_asyncjobs_pcdir}" "/prefix")
    string(REGEX REPLACE "/$" "" ASYNCJOBS_PC_PREFIX_FROM_PCDIR "${ASYNCJOBS_PC_PREFIX_FROM_PCDIR}")
    set(ASYNCJOBS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(ASYNCJOBS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
    set(ASYNCJOBS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# Libs: the Boost components in the link interface (the headers instantiate
# Boost.Serialization; Boost.Thread for <asyncjobs/boost_thread.hpp>); Libs.private (for
# --static): what the library links besides.
get_target_property(_asyncjobs_public asyncjobs INTERFACE_LINK_LIBRARIES)
get_target_property(_asyncjobs_all asyncjobs LINK_LIBRARIES)
set(ASYNCJOBS_PC_LIBS)
set(ASYNCJOBS_PC_LIBS_PRIVATE)
foreach(_target IN LISTS _asyncjobs_all)
    set(_flag)
    string(REGEX REPLACE "^Boost::" "" _component "${_target}")
    if(NOT _component STREQUAL _target AND NOT _component MATCHES "^(boost|headers)$")
        set(_flag "-lboost_${_component}")
    elseif(_target STREQUAL "${CMAKE_DL_LIBS}" AND CMAKE_DL_LIBS)
        set(_flag "-l${CMAKE_DL_LIBS}")
    endif()
    if(_flag AND _target IN_LIST _asyncjobs_public)
        list(APPEND ASYNCJOBS_PC_LIBS "${_flag}")
    elseif(_flag)
        list(APPEND ASYNCJOBS_PC_LIBS_PRIVATE "${_flag}")
    endif()
endforeach()
list(JOIN ASYNCJOBS_PC_LIBS " " ASYNCJOBS_PC_LIBS)
list(JOIN ASYNCJOBS_PC_LIBS_PRIVATE " " ASYNCJOBS_PC_LIBS_PRIVATE)
configure_file("${CMAKE_CURRENT_LIST_DIR}/asyncjobs.pc.in" "${PROJECT_BINARY_DIR}/asyncjobs.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/asyncjobs.pc"
    DESTINATION "${_asyncjobs_pcdir}"
    COMPONENT asyncjobs_development)
# asyncjobs-mpi.pc (ASYNCJOBS_MPI): Requires asyncjobs of the same version; --static adds the
# MPI libraries the library was linked with, by path (an MPI lives outside this prefix).
if(ASYNCJOBS_MPI)
    set(ASYNCJOBS_PC_MPI_LIBS ${MPI_CXX_LINK_FLAGS} ${MPI_CXX_LIBRARIES})
    list(JOIN ASYNCJOBS_PC_MPI_LIBS " " ASYNCJOBS_PC_MPI_LIBS)
    configure_file("${CMAKE_CURRENT_LIST_DIR}/asyncjobs-mpi.pc.in" "${PROJECT_BINARY_DIR}/asyncjobs-mpi.pc" @ONLY)
    install(FILES "${PROJECT_BINARY_DIR}/asyncjobs-mpi.pc"
        DESTINATION "${_asyncjobs_pcdir}"
        COMPONENT asyncjobs_development)
endif()

unset(_asyncjobs_pcdir)
unset(_asyncjobs_public)
unset(_asyncjobs_all)
unset(_flag)
unset(_asyncjobs_type)
unset(_asyncjobs_links)
unset(_asyncjobs_private_links)
unset(_asyncjobs_boost_targets)
unset(_target)
unset(_component)
