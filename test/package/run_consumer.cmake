# Script behind the asyncjobs.package.* tests (cmake -P, variables from test/package/CMakeLists.txt):
#   MODE=find_package      install BUILD_DIR (a static library unless that build is shared)
#                          into WORK_DIR/prefix; the consumer finds it there; then a program
#                          built from asyncjobs.pc (pkg-config --static), and with MPI=ON
#                          an MPI program from asyncjobs-mpi.pc, run under MPIEXEC -n 2
#   MODE=add_subdirectory  the consumer adds SOURCE_DIR as a subproject, built SHARED; it
#                          installs its own library linking asyncjobs (install(EXPORT)) and
#                          asyncjobs with it; a downstream project uses that package; a
#                          program is built from the installed asyncjobs.pc (and one from
#                          asyncjobs-mpi.pc when that was installed); the installed
#                          libasyncjobs.so has its soname and exports namespace asyncjobs only
#   MODE=fetchcontent      the consumer gets a local archive of SOURCE_DIR with FetchContent,
#                          built STATIC, and installs and exports its library the same way
# Each configures, builds and runs with the compiler and flags of the build.
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

# configure_args_for(<var> <source dir> <build dir>): the build's compiler, generator and flags.
function(configure_args_for out source build)
    set(args
        -S "${source}" -B "${build}"
        -G "${GENERATOR}"
        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
        "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
        "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
        "-DCMAKE_SHARED_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
        # Only the prefix below may satisfy find_package: no user or system package registry.
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
        -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
    if(MAKE_PROGRAM)
        list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    if(NOT MULTI_CONFIG AND CONFIG)
        string(TOUPPER "${CONFIG}" config_upper)
        list(APPEND args "-DCMAKE_BUILD_TYPE=${CONFIG}" "-DCMAKE_CXX_FLAGS_${config_upper}=${CXX_FLAGS_CONFIG}")
    endif()
    set(${out} ${args} PARENT_SCOPE)
endfunction()

function(exe_path out build name)
    if(MULTI_CONFIG)
        set(${out} "${build}/${CONFIG}/${name}" PARENT_SCOPE)
    else()
        set(${out} "${build}/${name}" PARENT_SCOPE)
    endif()
endfunction()

# The installed package must be complete: headers (the generated version header too), the
# CMake package, the pkg-config file and the licence.
function(check_installed)
    foreach(file include/asyncjobs/asyncjobs.hpp include/asyncjobs/detail/config.hpp
                 include/asyncjobs/version.hpp include/asyncjobs/boost_thread.hpp share/doc/asyncjobs/LICENSE)
        if(NOT EXISTS "${prefix}/${file}")
            message(FATAL_ERROR "[${MODE}] ${file} was not installed under ${prefix}")
        endif()
    endforeach()
    foreach(file asyncjobs-config.cmake asyncjobs-config-version.cmake asyncjobs.pc)
        file(GLOB_RECURSE found "${prefix}/*/${file}")
        if(NOT found)
            message(FATAL_ERROR "[${MODE}] no ${file} under ${prefix}")
        endif()
    endforeach()
    file(STRINGS "${prefix}/include/asyncjobs/version.hpp" version_line REGEX "#define ASYNCJOBS_VERSION_STRING")
    message(STATUS "[${MODE}] ${version_line}")
endfunction()

# A program built from asyncjobs.pc alone (no CMake), then run; LD_LIBRARY_PATH finds a
# shared libasyncjobs in the prefix.
function(build_with_pkg_config pkg_config_args)
    if(NOT PKG_CONFIG)
        message(FATAL_ERROR "[${MODE}] pkg-config was not found (scripts/install-deps.sh installs pkgconf)")
    endif()
    file(GLOB_RECURSE pc_file "${prefix}/*/asyncjobs.pc")
    get_filename_component(pc_dir "${pc_file}" DIRECTORY)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${pc_dir}"
            "${PKG_CONFIG}" --cflags --libs ${pkg_config_args} asyncjobs
        OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] pkg-config --cflags --libs ${pkg_config_args} asyncjobs failed: ${rc}")
    endif()
    message(STATUS "[${MODE}] pkg-config ${pkg_config_args}: ${flags}")
    separate_arguments(flags UNIX_COMMAND "${flags}")
    separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS} ${CXX_FLAGS_CONFIG}")
    separate_arguments(ld_flags UNIX_COMMAND "${EXE_LINKER_FLAGS}")
    set(exe "${WORK_DIR}/pkg_config_consumer")
    run_step("build a program with pkg-config" "${CXX_COMPILER}" ${cxx_flags} "${CONSUMER_DIR}/main.cpp"
        -o "${exe}" ${flags} ${ld_flags})
    run_step("run it" "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${prefix}/lib" "${exe}")
endfunction()

# Runs an MPI program under MPIEXEC -n 2 (rank 0 and one worker rank), bounded in time. Root
# (CI) needs Open MPI's two variables; --oversubscribe: 2 ranks whatever the cores.
function(run_under_mpiexec what exe)
    if(NOT MPIEXEC)
        message(FATAL_ERROR "[${MODE}] no mpiexec to run ${what}")
    endif()
    message(STATUS "[${MODE}] run ${what} under ${MPIEXEC} -n 2")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${prefix}/lib"
            OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
            "${MPIEXEC}" -n 2 --oversubscribe "${exe}"
        RESULT_VARIABLE rc TIMEOUT 120)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] ${what} under ${MPIEXEC} -n 2 failed: ${rc}")
    endif()
endfunction()

# The consumer's asyncjobs::mpi program (consumer/CMakeLists.txt builds it when the package
# has the target): required when this build has ASYNCJOBS_MPI (find_package), else run
# when the vendored build made it.
function(run_mpi_consumer build required)
    exe_path(exe "${build}" mpi_consumer)
    if(EXISTS "${exe}")
        run_under_mpiexec("the consumer's asyncjobs::mpi program" "${exe}")
    elseif(required)
        message(FATAL_ERROR "[${MODE}] asyncjobs was built with ASYNCJOBS_MPI but the installed package gave the "
            "consumer no asyncjobs::mpi target (no ${exe})")
    endif()
endfunction()

# An MPI program built from asyncjobs-mpi.pc alone, run under mpirun -n 2 (rank 0 and one
# worker rank): the .pc must name libasyncjobs_mpi before libasyncjobs, and (--static) MPI.
function(build_mpi_with_pkg_config pkg_config_args)
    file(GLOB_RECURSE pc_file "${prefix}/*/asyncjobs-mpi.pc")
    if(NOT pc_file)
        message(FATAL_ERROR "[${MODE}] asyncjobs was built with ASYNCJOBS_MPI but no asyncjobs-mpi.pc is under ${prefix}")
    endif()
    get_filename_component(pc_dir "${pc_file}" DIRECTORY)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${pc_dir}"
            "${PKG_CONFIG}" --cflags --libs ${pkg_config_args} asyncjobs-mpi
        OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] pkg-config --cflags --libs ${pkg_config_args} asyncjobs-mpi failed: ${rc}")
    endif()
    message(STATUS "[${MODE}] pkg-config ${pkg_config_args} asyncjobs-mpi: ${flags}")
    separate_arguments(flags UNIX_COMMAND "${flags}")
    separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS} ${CXX_FLAGS_CONFIG}")
    separate_arguments(ld_flags UNIX_COMMAND "${EXE_LINKER_FLAGS}")
    set(exe "${WORK_DIR}/pkg_config_mpi_consumer")
    run_step("build an MPI program with pkg-config" "${CXX_COMPILER}" ${cxx_flags} "${CONSUMER_DIR}/mpi_main.cpp"
        -o "${exe}" ${flags} ${ld_flags})
    run_under_mpiexec("the asyncjobs-mpi.pc program" "${exe}")
endfunction()

if(MODE STREQUAL "find_package")
    run_step("install into ${prefix}" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})
    check_installed()
    configure_args_for(configure_args "${CONSUMER_DIR}" "${consumer_build}")
    run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}"
        -DASYNCJOBS_CONSUMER_MODE=find_package)
    # The consumer must have used the package just installed, not one found elsewhere.
    file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^asyncjobs_DIR:")
    string(REGEX REPLACE "^asyncjobs_DIR:[A-Z]+=" "" found_dir "${found_dir}")
    string(FIND "${found_dir}" "${prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "[${MODE}] the consumer found asyncjobs in '${found_dir}', not under ${prefix}")
    endif()
    run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})
    exe_path(consumer_exe "${consumer_build}" consumer)
    run_step("run consumer" "${consumer_exe}")
    run_mpi_consumer("${consumer_build}" "${MPI}")
    build_with_pkg_config(--static)
    if(MPI)
        build_mpi_with_pkg_config(--static)
    endif()
    return()
endif()

configure_args_for(configure_args "${CONSUMER_DIR}" "${consumer_build}")
if(MODE STREQUAL "add_subdirectory")
    set(shared ON)
    list(APPEND configure_args -DASYNCJOBS_CONSUMER_MODE=add_subdirectory "-DASYNCJOBS_SOURCE_DIR=${SOURCE_DIR}")
elseif(MODE STREQUAL "fetchcontent")
    set(shared OFF)
    # What a release archive holds of the library: no tests, apps or build trees.
    set(archive "${WORK_DIR}/asyncjobs-src.tar.gz")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E tar czf "${archive}" -- CMakeLists.txt LICENSE cmake lib
        WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] could not archive ${SOURCE_DIR}: ${rc}")
    endif()
    list(APPEND configure_args -DASYNCJOBS_CONSUMER_MODE=fetchcontent "-DASYNCJOBS_ARCHIVE=${archive}")
else()
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

run_step("configure consumer (BUILD_SHARED_LIBS=${shared})" "${CMAKE_COMMAND}" ${configure_args}
    -DBUILD_SHARED_LIBS=${shared} "-DCMAKE_INSTALL_PREFIX=${prefix}")
run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})
exe_path(consumer_exe "${consumer_build}" consumer)
run_step("run consumer" "${consumer_exe}")
run_mpi_consumer("${consumer_build}" FALSE)
run_step("install consumer (and asyncjobs with it)" "${CMAKE_COMMAND}" --install "${consumer_build}" ${config_args})
check_installed()

set(downstream_build "${WORK_DIR}/downstream")
configure_args_for(downstream_args "${CONSUMER_DIR}/../downstream" "${downstream_build}")
run_step("configure downstream" "${CMAKE_COMMAND}" ${downstream_args} "-DCMAKE_PREFIX_PATH=${prefix}")
run_step("build downstream" "${CMAKE_COMMAND}" --build "${downstream_build}" ${config_args})
exe_path(downstream_exe "${downstream_build}" downstream)
run_step("run downstream" "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${prefix}/lib" "${downstream_exe}")

if(shared)
    build_with_pkg_config("")
    file(GLOB_RECURSE mpi_pc "${prefix}/*/asyncjobs-mpi.pc")
    if(mpi_pc)
        build_mpi_with_pkg_config("")
    endif()
    # The soname policy (HACKING.md, Versions) and hidden symbols (lib/asyncjobs.map).
    file(GLOB library "${prefix}/lib/libasyncjobs.so.*.*.*")
    file(GLOB soname_link "${prefix}/lib/libasyncjobs.so.[0-9]*")
    list(REMOVE_ITEM soname_link ${library})
    if(NOT library OR NOT soname_link)
        message(FATAL_ERROR "[${MODE}] no libasyncjobs.so.<version> with its soname link under ${prefix}/lib")
    endif()
    message(STATUS "[${MODE}] ${library}, soname link ${soname_link}")
    if(NOT NM)
        message(FATAL_ERROR "[${MODE}] no nm to read the exported symbols")
    endif()
    execute_process(COMMAND "${NM}" -D -C --defined-only "${library}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "[${MODE}] nm -D failed: ${rc}")
    endif()
    string(REGEX REPLACE "\n$" "" symbols "${symbols}")
    string(REPLACE "\n" ";" symbols "${symbols}")
    list(LENGTH symbols exported)
    set(foreign ${symbols})
    list(FILTER foreign EXCLUDE REGEX "asyncjobs::")
    # The version script's own node name is an absolute symbol of no code.
    list(FILTER foreign EXCLUDE REGEX " A [A-Za-z0-9_.]+$")
    list(LENGTH foreign foreign_count)
    message(STATUS "[${MODE}] libasyncjobs exports ${exported} symbols, ${foreign_count} outside namespace asyncjobs")
    if(foreign_count GREATER 0)
        list(SUBLIST foreign 0 20 some)
        list(JOIN some "\n  " some)
        message(FATAL_ERROR "[${MODE}] libasyncjobs exports symbols outside namespace asyncjobs, e.g.:\n  ${some}")
    endif()
endif()
