# test_capi: the C API tested from C (C11, pthreads), linked with liblora_c.so alone. Each
# case runs as its own process: ctest test_capi:<case>.
add_executable(test_capi ${CMAKE_CURRENT_LIST_DIR}/test_capi.c)
set_target_properties(test_capi PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                           C_EXTENSIONS OFF)
target_compile_options(test_capi PRIVATE -Wpedantic)
target_link_libraries(test_capi PRIVATE lora_c Threads::Threads m)
foreach(case values temporal nesting graph transactions stream abandon errors threads persistence)
  add_test(NAME test_capi:${case} COMMAND test_capi ${case})
  set_tests_properties(test_capi:${case} PROPERTIES LABELS test_capi TIMEOUT 300)
endforeach()
add_test(NAME test_capi:exports
         COMMAND ${CMAKE_COMMAND} -DLIB=$<TARGET_FILE:lora_c> -DMAJOR=${LORA_C_VERSION_MAJOR}
                 -P ${CMAKE_CURRENT_LIST_DIR}/check_exports.cmake)
set_tests_properties(test_capi:exports PROPERTIES LABELS test_capi)
