# asyncjobs_set_warnings(<target>): the project's warning set, errors when
# ASYNCJOBS_WARNINGS_AS_ERRORS is on (CI turns it on for g++ and clang++).
function(asyncjobs_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(ASYNCJOBS_WARNINGS_AS_ERRORS)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
