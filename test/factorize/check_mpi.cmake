# cmake -D CASE=<case> -D PROGRAM=<factorize> -D WORK_DIR=<dir>
#       [-D MPIRUN="<mpirun -n 3 and flags>" -D MPIRUN_ONE="<mpirun -n 1 and flags>"] -P check_mpi.cmake
#
# factorize --executor mpi, end to end:
#   numbers     mpirun -n 3 factorize --executor mpi N... prints byte for byte what
#               --executor processes prints, in every mode
#   input       the same with --input FILE (whitespace, comments, several a line) and on stdin
#   no_mpirun   without mpirun: exit 2 and a message saying to start it with mpirun
#   one_rank    mpirun -n 1: exit 2 and a message asking for a worker rank
#   not_built   factorize built without MPI: exit 2 and a message saying how to build it
#   bench       mpirun -n 3 factorize --bench (a small workload): the mpi rows are there and
#               agree with serial, and so do the runs of factorize it starts as children (the
#               --input FILE rows: they must not join the MPI job) and the mpi4py peer, if any
# Every run is bounded (mpirun's own --timeout inside execute_process's): a hang fails.
cmake_minimum_required(VERSION 3.22)
separate_arguments(mpirun UNIX_COMMAND "${MPIRUN}")
separate_arguments(mpirun_one UNIX_COMMAND "${MPIRUN_ONE}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs a command; sets <prefix>_rc, <prefix>_out, <prefix>_err.
function(run prefix)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "INPUT" "COMMAND")
    set(input_option)
    if(arg_INPUT)
        set(input_option INPUT_FILE "${arg_INPUT}")
    endif()
    execute_process(COMMAND ${arg_COMMAND} ${input_option}
        TIMEOUT 240
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc MATCHES "timeout")
        message(FATAL_ERROR "hung (killed after 240 s): ${arg_COMMAND}\n--- stdout\n${out}--- stderr\n${err}")
    endif()
    set(${prefix}_rc "${rc}" PARENT_SCOPE)
    set(${prefix}_out "${out}" PARENT_SCOPE)
    set(${prefix}_err "${err}" PARENT_SCOPE)
endfunction()

# The same output as --executor processes, from rank 0 of 3: 2 worker ranks of 3 workers, and
# the summary on stderr must say "mpi x6", the workers the ranks reported (a fall-back to a
# local pool would have this machine's hardware threads: not 6 on CI's 2 cores).
function(expect_same_as_processes what)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "INPUT" "ARGS")
    run(p INPUT "${arg_INPUT}" COMMAND "${PROGRAM}" --executor processes --workers 2 ${arg_ARGS})
    if(NOT p_rc EQUAL 0 OR p_out STREQUAL "")
        message(FATAL_ERROR "${what}: --executor processes failed (${p_rc})\n${p_err}")
    endif()
    foreach(mode map chunked as-completed then)
        run(m INPUT "${arg_INPUT}" COMMAND ${mpirun} --timeout 120 "${PROGRAM}" --executor mpi --workers-per-rank 3
            --mode ${mode} ${arg_ARGS})
        if(NOT m_rc EQUAL 0)
            message(FATAL_ERROR "${what}, --mode ${mode}: mpirun exited ${m_rc}\n--- stdout\n${m_out}--- stderr\n${m_err}")
        endif()
        if(NOT m_err MATCHES "; mpi x6, ${mode},")
            message(FATAL_ERROR "${what}, --mode ${mode}: the summary does not name mpi x6:\n${m_err}")
        endif()
        if(NOT m_out STREQUAL p_out)
            file(WRITE "${WORK_DIR}/processes.txt" "${p_out}")
            file(WRITE "${WORK_DIR}/mpi-${mode}.txt" "${m_out}")
            message(FATAL_ERROR "${what}, --mode ${mode}: the output differs from --executor processes' "
                "(both in ${WORK_DIR})")
        endif()
        string(LENGTH "${m_out}" bytes)
        message("${what}, --mode ${mode}: ${bytes} bytes, the same as --executor processes")
    endforeach()
endfunction()

# Numbers of every size, with repeats: small, products of two primes near 2^32, the largest.
set(numbers 0 1 2 12 4294967291 18446744073709551615 18446744030759878681 18446744073709551557 12 +7)
foreach(i RANGE 1 300)
    math(EXPR n "(${i} * 2654435761) % 1000000007 * 10007 + ${i}")
    list(APPEND numbers ${n})
endforeach()

if(CASE STREQUAL "numbers")
    expect_same_as_processes("numbers as arguments" ARGS ${numbers})
elseif(CASE STREQUAL "input")
    set(file "${WORK_DIR}/numbers.txt")
    set(text "# factorize --executor mpi: an input file\n\n")
    foreach(i RANGE 1 3000)
        math(EXPR n "(${i} * 2654435761) % 4294967291 * 97 + ${i}")
        math(EXPR col "${i} % 5")
        if(col EQUAL 0)
            string(APPEND text "${n}   # a comment\n")
        else()
            string(APPEND text "${n} ")
        endif()
    endforeach()
    string(APPEND text "18446744073709551615\n\t18446744030759878681 +12\n")
    file(WRITE "${file}" "${text}")
    expect_same_as_processes("--input FILE" ARGS --input "${file}")
    expect_same_as_processes("stdin" INPUT "${file}")
elseif(CASE STREQUAL "no_mpirun" OR CASE STREQUAL "not_built")
    if(CASE STREQUAL "no_mpirun")
        set(expected "not started by mpirun or srun.*mpirun -n 3 factorize --executor mpi")
    else()
        set(expected "built without MPI.*install openmpi-bin and libopenmpi-dev")
    endif()
    run(e COMMAND "${PROGRAM}" --executor mpi 12 15)
    message("exit ${e_rc}\n--- stdout\n${e_out}--- stderr\n${e_err}")
    if(NOT e_rc EQUAL 2 OR NOT e_out STREQUAL "" OR NOT e_err MATCHES "${expected}")
        message(FATAL_ERROR "expected exit 2, no output and a message matching \"${expected}\"")
    endif()
elseif(CASE STREQUAL "one_rank")
    run(e COMMAND ${mpirun_one} --timeout 120 "${PROGRAM}" --executor mpi 12 15)
    message("exit ${e_rc}\n--- stdout\n${e_out}--- stderr\n${e_err}")
    if(NOT e_rc EQUAL 2 OR NOT e_out STREQUAL "" OR NOT e_err MATCHES "this MPI job has 1 rank.*mpirun -n 3")
        message(FATAL_ERROR "expected exit 2, no output and a message asking for a worker rank")
    endif()
elseif(CASE STREQUAL "bench")
    run(b COMMAND ${mpirun} --timeout 200 "${PROGRAM}" --bench --random 300 --min 1e9 --max 1e11
        --python-count 300 --no-gnu-factor --stream-count 3000)
    message("exit ${b_rc}\n--- stdout\n${b_out}--- stderr\n${b_err}")
    if(NOT b_rc EQUAL 0 OR b_out MATCHES "MISMATCH|failed")
        message(FATAL_ERROR "mpirun -n 3 factorize --bench: expected exit 0 and every checksum the same")
    endif()
    foreach(row "map, auto chunksize" "map, chunksize 1" "chunked \\(one per worker\\)" "as-completed" "then")
        if(NOT b_out MATCHES "\\| ${row}[^|]*\\| mpi       \\|       2 \\|[^\n]*\\| same \\|")
            message(FATAL_ERROR "no mpi row '${row}' of 2 workers that agrees with serial")
        endif()
    endforeach()
    if(NOT b_out MATCHES "\\(mpi: 3 ranks, rank 0 submits and 2 worker ranks run 1 local worker each\\)")
        message(FATAL_ERROR "the note on the mpi rows is missing")
    endif()
    if(NOT b_out MATCHES "--input FILE")
        message(FATAL_ERROR "the --input FILE rows (factorize run as a child of rank 0) are missing")
    endif()
    if(NOT b_out MATCHES "Python mpi4py peer: skipped" AND NOT b_out MATCHES "\\| Python mpi4py map[^\n]*\\| same \\|")
        message(FATAL_ERROR "the mpi4py peer neither ran nor said why it was skipped")
    endif()
else()
    message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
