# cmake -D README=... -D EXAMPLE=... -P check_readme_example.cmake
# The README's quick example (the ```cpp block between <!-- quickstart:begin --> and
# <!-- quickstart:end -->) must be EXAMPLE verbatim. To update the README after editing the
# example, run it with -D UPDATE=ON.
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
set(begin_marker "<!-- quickstart:begin -->\n```cpp\n")
set(end_marker "```\n<!-- quickstart:end -->")
string(FIND "${readme}" "${begin_marker}" begin)
string(FIND "${readme}" "${end_marker}" end)
if(begin EQUAL -1 OR end EQUAL -1 OR end LESS begin)
    message(FATAL_ERROR "${README}: no ```cpp block between <!-- quickstart:begin --> and <!-- quickstart:end -->")
endif()
string(LENGTH "${begin_marker}" marker_length)
math(EXPR body_begin "${begin} + ${marker_length}")
math(EXPR body_length "${end} - ${body_begin}")
string(SUBSTRING "${readme}" ${body_begin} ${body_length} snippet)
if(snippet STREQUAL example)
    message(STATUS "README quick example matches ${EXAMPLE}")
elseif(UPDATE)
    string(SUBSTRING "${readme}" 0 ${body_begin} head)
    string(SUBSTRING "${readme}" ${end} -1 tail)
    file(WRITE "${README}" "${head}${example}${tail}")
    message(STATUS "README quick example updated from ${EXAMPLE}")
else()
    message(FATAL_ERROR "The README's quick example differs from ${EXAMPLE}. Copy it over with\n"
        "  cmake -D README=${README} -D EXAMPLE=${EXAMPLE} -D UPDATE=ON -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
