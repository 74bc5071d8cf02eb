# Included by tests/CMakeLists.txt: compiles the TCK runner's plain-code sources into
# test_tck (main.cpp and the lora adapter stay out), and adds the ctest `tck_floor` that
# fails when fewer TCK scenarios pass than tests/tck/floor.txt says.
set(LORA_TCK_TOOL_DIR ${PROJECT_SOURCE_DIR}/tools/tck)
target_sources(test_tck PRIVATE ${LORA_TCK_TOOL_DIR}/tck_value.cpp
                                ${LORA_TCK_TOOL_DIR}/gherkin.cpp
                                ${LORA_TCK_TOOL_DIR}/runner.cpp
                                ${LORA_TCK_TOOL_DIR}/value_convert.cpp)
target_include_directories(test_tck PRIVATE ${LORA_TCK_TOOL_DIR})

if(DEFINED ENV{LORA_TCK_DIR})
  set(LORA_TCK_DIR $ENV{LORA_TCK_DIR})
else()
  set(LORA_TCK_DIR ${PROJECT_SOURCE_DIR}/../shared/tck/features)
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/floor.txt)
if(NOT EXISTS ${LORA_TCK_DIR})
  message(FATAL_ERROR "openCypher TCK features not found at ${LORA_TCK_DIR}: set LORA_TCK_DIR "
                      "or configure with -DLORA_BUILD_TESTS=OFF")
endif()
file(READ ${CMAKE_CURRENT_LIST_DIR}/floor.txt LORA_TCK_FLOOR)
string(STRIP "${LORA_TCK_FLOOR}" LORA_TCK_FLOOR)
add_test(NAME tck_floor COMMAND lora-tck ${LORA_TCK_DIR} --min-pass ${LORA_TCK_FLOOR})
set_tests_properties(tck_floor PROPERTIES TIMEOUT 600 LABELS tck)
