# asyncjobs.factorize.runpath: the build-tree factorize must not look for its libraries in the
# directory it is run from. Decoys named like the libraries it needs (`ldd` names them; a fixed
# list where it is missing) are put in a scratch directory and factorize is run there: a
# RUNPATH with an empty entry makes the loader open them ("file too short", exit 127).
#   cmake -D FACTORIZE=... -D WORK_DIR=... -P runpath_check.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(names libboost_program_options.so.1.81.0 libboost_json.so.1.81.0 libboost_serialization.so.1.81.0
    libboost_thread.so.1.81.0 libmpi.so.40)
find_program(ldd ldd)
if(ldd)
    execute_process(COMMAND "${ldd}" "${FACTORIZE}" OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
    if(rc EQUAL 0)
        string(REGEX MATCHALL "(^|\n)[ \t]*lib[^ \t\n]*\\.so[^ \t\n]*" found "${listing}")
        foreach(name IN LISTS found)
            string(STRIP "${name}" name)
            list(APPEND names "${name}")
        endforeach()
    endif()
endif()
list(REMOVE_DUPLICATES names)
list(FILTER names EXCLUDE REGEX "^(libc|libm|ld-linux|libgcc_s|libpthread|libdl)[.-]")
foreach(name IN LISTS names)
    file(WRITE "${WORK_DIR}/${name}" "not a library\n")
endforeach()
execute_process(COMMAND "${FACTORIZE}" 12 WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "12: 2 2 3\n")
    message(FATAL_ERROR "factorize, run in a directory with decoy libraries (${names}), answered (${rc}):\n${out}${err}\n"
                        "its RUNPATH lets the loader search the current directory")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
