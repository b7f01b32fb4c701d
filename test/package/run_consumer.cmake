# Script behind the asyncjobs.package.* tests (cmake -P, variables from test/package/CMakeLists.txt):
#   MODE=find_package      install BUILD_DIR into WORK_DIR/prefix, consumer finds it there
#   MODE=add_subdirectory  consumer adds SOURCE_DIR as a subproject
# then configure, build and run the consumer with the compiler and flags of the build.
cmake_minimum_required(VERSION 3.22)

foreach(var MODE BUILD_DIR SOURCE_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
    endif()
endforeach()

function(run_step what)
    message(STATUS "[${MODE}] ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] ${what} failed: ${rc}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer")

set(config_args)
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()

set(configure_args
    -S "${CONSUMER_DIR}" -B "${consumer_build}"
    -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
    "-DASYNCJOBS_CONSUMER_MODE=${MODE}"
    # Only the prefix below may satisfy find_package: no user or system package registry.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(NOT MULTI_CONFIG AND CONFIG)
    string(TOUPPER "${CONFIG}" config_upper)
    list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${CONFIG}" "-DCMAKE_CXX_FLAGS_${config_upper}=${CXX_FLAGS_CONFIG}")
endif()

if(MODE STREQUAL "find_package")
    run_step("install into ${prefix}" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})
    foreach(header asyncjobs/asyncjobs.hpp asyncjobs/detail/config.hpp)
        if(NOT EXISTS "${prefix}/include/${header}")
            message(FATAL_ERROR "[${MODE}] ${header} was not installed under ${prefix}/include")
        endif()
    endforeach()
    file(GLOB_RECURSE package_config "${prefix}/*/asyncjobs-config.cmake")
    file(GLOB_RECURSE package_version "${prefix}/*/asyncjobs-config-version.cmake")
    if(NOT package_config OR NOT package_version)
        message(FATAL_ERROR "[${MODE}] no asyncjobs-config.cmake / asyncjobs-config-version.cmake under ${prefix}")
    endif()
    run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}")
    # The consumer must have used the package just installed, not one found elsewhere.
    file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^asyncjobs_DIR:")
    string(REGEX REPLACE "^asyncjobs_DIR:[A-Z]+=" "" found_dir "${found_dir}")
    string(FIND "${found_dir}" "${prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "[${MODE}] the consumer found asyncjobs in '${found_dir}', not under ${prefix}")
    endif()
elseif(MODE STREQUAL "add_subdirectory")
    run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args} "-DASYNCJOBS_SOURCE_DIR=${SOURCE_DIR}")
else()
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

if(MULTI_CONFIG)
    set(consumer_exe "${consumer_build}/${CONFIG}/consumer")
else()
    set(consumer_exe "${consumer_build}/consumer")
endif()
run_step("run consumer" "${consumer_exe}")
