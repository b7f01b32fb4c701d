# cmake -D MPIRUN="<mpirun and its flags>" -D PROGRAM=<mpi_lost_rank> -P check_lost_rank.cmake
#
# A worker rank killed from outside must end the MPI job, rank 0 included, with a non-zero
# exit, in bounded time (Open MPI 4.1's default: mpirun kills the job; measured ~1.4 s).
# Never a hang: execute_process gives up after 90 s, and that fails the test.
separate_arguments(mpirun UNIX_COMMAND "${MPIRUN}")
string(TIMESTAMP started "%s")
execute_process(COMMAND ${mpirun} ${PROGRAM}
    TIMEOUT 90
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
string(TIMESTAMP ended "%s")
math(EXPR seconds "${ended} - ${started}")
message("mpirun exited with '${rc}' after ${seconds} s\n--- stdout\n${out}--- stderr\n${err}")
if(NOT out MATCHES "killing rank 1")
    message(FATAL_ERROR "the program did not get as far as killing rank 1")
endif()
if(rc MATCHES "timeout")
    message(FATAL_ERROR "the job hung after rank 1 was killed")
endif()
if(out MATCHES "rank 0 went on")
    message(FATAL_ERROR "rank 0 went on after losing rank 1: the job was expected to end")
endif()
if(rc EQUAL 0)
    message(FATAL_ERROR "mpirun exited 0 after losing a rank")
endif()
