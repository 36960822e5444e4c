# format-check: clang-format --dry-run --Werror over the files listed in
# cmake/format-checked-files.txt (paths relative to the source root, one a line, # comments).
# The list holds the files that already follow .clang-format; a file joins it when it is
# formatted, so the code base is not reformatted in one change. The CTest entry
# `format_check` runs the same check; without clang-format it fails and says what to install.
# clang-format 14 is Debian 12's, and the one the style is checked with: other versions
# format some constructs differently.
find_program(SCNS_CLANG_FORMAT NAMES clang-format-14 clang-format)
file(STRINGS "${PROJECT_SOURCE_DIR}/cmake/format-checked-files.txt" _scns_format_lines)
set(SCNS_FORMAT_CHECKED_FILES "")
foreach(_line IN LISTS _scns_format_lines)
  string(STRIP "${_line}" _line)
  if(_line AND NOT _line MATCHES "^#")
    list(APPEND SCNS_FORMAT_CHECKED_FILES "${_line}")
  endif()
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/cmake/format-checked-files.txt")

if(SCNS_CLANG_FORMAT)
  add_custom_target(format-check
    COMMAND "${SCNS_CLANG_FORMAT}" --style=file --dry-run --Werror ${SCNS_FORMAT_CHECKED_FILES}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "clang-format --dry-run --Werror on the files in cmake/format-checked-files.txt"
    VERBATIM)
else()
  add_custom_target(format-check
    COMMAND "${CMAKE_COMMAND}" -E echo "format-check: clang-format not found (Debian: apt install clang-format)"
    COMMAND "${CMAKE_COMMAND}" -E false
    VERBATIM)
endif()

# The same check as a test, so `ctest` (the README's test command) fails on a listed file that
# drifted from the style.
function(scns_add_format_check_test)
  if(SCNS_CLANG_FORMAT)
    add_test(NAME format_check
             COMMAND "${SCNS_CLANG_FORMAT}" --style=file --dry-run --Werror ${SCNS_FORMAT_CHECKED_FILES}
             WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  else()
    add_test(NAME format_check COMMAND "${CMAKE_COMMAND}" -E echo
             "clang-format not found: install it from packaging/debian-packages.txt (package clang-format)")
    set_tests_properties(format_check PROPERTIES FAIL_REGULAR_EXPRESSION "clang-format not found")
  endif()
  set_tests_properties(format_check PROPERTIES LABELS "style" TIMEOUT 120)
endfunction()
