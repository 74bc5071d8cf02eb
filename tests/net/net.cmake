# test_net: lorad and the lora shell end to end over real sockets, plus the router/config/
# metrics/admin units. Included from tests/CMakeLists.txt. The end-to-end tests start
# build/tools/lorad and build/tools/lora.
lora_add_suite(test_net net lora_net)
# forkpty, for driving the interactive shell through a pseudo-terminal.
target_link_libraries(test_net PRIVATE util)
add_dependencies(test_net lorad lora_shell)

# test_bolt: the Bolt codec, framing and state machine without sockets, and lorad's Bolt
# port over real sockets with a raw client (the JavaScript drivers: tests/bolt_js).
lora_add_suite(test_bolt net/bolt lora_net)
add_dependencies(test_bolt lorad)

# The official Neo4j JavaScript drivers (6.x, 5.x, 4.4) against a real lorad: npm ci installs
# the versions pinned in tests/bolt_js/package-lock.json into the build tree, as a ctest
# fixture (never at build time). Without node and npm the tests report Skipped.
find_program(LORA_NODE node)
find_program(LORA_NPM npm)
if(LORA_NODE AND LORA_NPM)
  set(bolt_js_dir ${CMAKE_CURRENT_BINARY_DIR}/bolt_js)
  file(GLOB bolt_js_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bolt_js/*.js
       ${CMAKE_CURRENT_SOURCE_DIR}/bolt_js/*.json)
  foreach(f ${bolt_js_files})
    get_filename_component(name ${f} NAME)
    configure_file(${f} ${bolt_js_dir}/${name} COPYONLY)
  endforeach()
  add_test(NAME bolt_js_setup COMMAND ${LORA_NPM} ci --no-audit --no-fund
           WORKING_DIRECTORY ${bolt_js_dir})
  set_tests_properties(bolt_js_setup PROPERTIES FIXTURES_SETUP bolt_js LABELS bolt_js)
  foreach(v 4 5 6)
    add_test(NAME bolt_js_driver${v} COMMAND ${LORA_NODE} --test test_driver${v}.js
             WORKING_DIRECTORY ${bolt_js_dir})
    set_tests_properties(bolt_js_driver${v} PROPERTIES FIXTURES_REQUIRED bolt_js
                         ENVIRONMENT "LORAD=$<TARGET_FILE:lorad>" LABELS bolt_js
                         RESOURCE_LOCK bolt_js TIMEOUT 600)
  endforeach()
else()
  add_test(NAME bolt_js COMMAND sh -c
           "echo 'node or npm is not installed: the Bolt driver tests are skipped'; exit 77")
  set_tests_properties(bolt_js PROPERTIES SKIP_RETURN_CODE 77 LABELS bolt_js)
endif()
