# asyncjobs.factorize.install: `cmake --install` of the factorize component into a scratch
# prefix, then the installed program run from there: it factorizes, and its --bench finds
# the Python peer installed next to it (share/asyncjobs/factorize_peer.py).
#   cmake -D BUILD_DIR=... -D WORK_DIR=... [-D CONFIG=...] -P install_check.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(config_args "")
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" --component factorize ${config_args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}")
endif()
foreach(installed IN ITEMS bin/factorize share/asyncjobs/factorize_peer.py)
    if(NOT EXISTS "${prefix}/${installed}")
        message(FATAL_ERROR "cmake --install --component factorize did not install ${installed}:\n${out}")
    endif()
endforeach()

execute_process(COMMAND "${prefix}/bin/factorize" --executor processes 12 18446744073709551615
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "12: 2 2 3\n18446744073709551615: 3 5 17 257 641 65537 6700417\n")
    message(FATAL_ERROR "the installed factorize answered (${rc}):\n${out}${err}")
endif()

execute_process(COMMAND "${prefix}/bin/factorize" --bench --workers 2 --random 20 --min 1000 --max 1e6
        --python-count 10 --python-min 1000 --python-max 100000 --gnu-range 100 --gnu-random 20 --stream-count 100
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the installed factorize --bench failed (${rc}):\n${out}${err}")
endif()
find_program(python3 python3)
if(python3)
    string(FIND "${out}" "The study in Python (${prefix}/share/asyncjobs/factorize_peer.py)" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "the installed --bench did not run the installed Python peer:\n${out}")
    endif()
else()
    message(STATUS "python3 not found: the Python peer's rows are not checked")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
