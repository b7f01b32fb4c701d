# asyncjobs_test_suite: how every test program in test/ is built and registered with CTest.
#
#   asyncjobs_test_suite(<name>
#       [SOURCES <file>...]     default: test_<name>.cpp
#       [TARGET <target>]       default: asyncjobs_test_<name>, built as test_<name>
#       [LINK <target>...]      more libraries, e.g. asyncjobs_test_tasks (the registered tasks)
#       [WORKERS <target>...]   executables the runner is handed after `--`, by
#                               $<TARGET_FILE:...> (a process pool's worker, a program to kill)
#       [ARGS <arg>...]         more arguments after the workers
#       [PARTS <part>=<run_test>...]  one test asyncjobs.<name>.<part> per part, each running
#                               the suites --run_test=<run_test> names, instead of asyncjobs.<name>
#       [LABELS <label>...]     besides "asyncjobs"
#       [TIMEOUT <s>]           default 120
#       [PLAIN])                a program of its own, not Boost.Test: no runner options
#
# The runner owns main, so a process pool in it runs a separate worker executable, passed
# by path the way Boost.Process v2's tests hand over their child programs. Builds with
# sanitizers define ASYNCJOBS_TEST_SANITIZED (suites that repeat races run fewer rounds).
function(asyncjobs_test_suite name)
    cmake_parse_arguments(PARSE_ARGV 1 suite "PLAIN" "TARGET;TIMEOUT"
        "SOURCES;LINK;WORKERS;ARGS;PARTS;LABELS")
    if(suite_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "asyncjobs_test_suite(${name}): unknown arguments ${suite_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT suite_SOURCES)
        set(suite_SOURCES test_${name}.cpp)
    endif()
    if(NOT suite_TARGET)
        set(suite_TARGET asyncjobs_test_${name})
    endif()
    if(NOT suite_TIMEOUT)
        set(suite_TIMEOUT 120)
    endif()
    set(target ${suite_TARGET})

    add_executable(${target} ${suite_SOURCES})
    target_link_libraries(${target} PRIVATE asyncjobs::asyncjobs ${suite_LINK})
    if(NOT suite_PLAIN)
        target_link_libraries(${target} PRIVATE Boost::unit_test_framework)
        # The imported target defines BOOST_UNIT_TEST_FRAMEWORK_DYN_LINK; Boost.Test's own
        # headers look for BOOST_TEST_DYN_LINK.
        target_compile_definitions(${target} PRIVATE BOOST_TEST_DYN_LINK)
        set_target_properties(${target} PROPERTIES OUTPUT_NAME test_${name})
    endif()
    target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    if(CMAKE_CXX_FLAGS MATCHES "-fsanitize")
        target_compile_definitions(${target} PRIVATE ASYNCJOBS_TEST_SANITIZED=1)
    endif()
    asyncjobs_set_warnings(${target})
    if(suite_WORKERS)
        # Building a runner builds what it runs.
        add_dependencies(${target} ${suite_WORKERS})
    endif()

    set(command ${target})
    set(environment)
    if(NOT suite_PLAIN)
        list(APPEND command --color_output=no)
        set(environment ENVIRONMENT "BOOST_TEST_COLOR_OUTPUT=no")
    endif()
    set(after)
    foreach(worker IN LISTS suite_WORKERS)
        list(APPEND after $<TARGET_FILE:${worker}>)
    endforeach()
    list(APPEND after ${suite_ARGS})
    if(after AND NOT suite_PLAIN)
        list(PREPEND after --)
    endif()

    set(tests)
    if(suite_PARTS)
        foreach(part IN LISTS suite_PARTS)
            string(REPLACE "=" ";" part ${part})
            list(GET part 0 part_name)
            list(GET part 1 part_run_test)
            add_test(NAME asyncjobs.${name}.${part_name} COMMAND ${command} --run_test=${part_run_test} ${after})
            list(APPEND tests asyncjobs.${name}.${part_name})
        endforeach()
    else()
        add_test(NAME asyncjobs.${name} COMMAND ${command} ${after})
        set(tests asyncjobs.${name})
    endif()
    set(labels asyncjobs ${suite_LABELS})
    set_tests_properties(${tests} PROPERTIES TIMEOUT ${suite_TIMEOUT} LABELS "${labels}" ${environment})
endfunction()
