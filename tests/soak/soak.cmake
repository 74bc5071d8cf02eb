# lora-soak: the crash soak (tests/soak/README in docs/testing.md). Kill -9 cycles of a mixed
# workload on one data directory, alternately embedded (a child process of its own) and
# through lorad, with every invariant checked after each recovery. ctest runs a short soak
# (soak_smoke); the long run is `build/tests/lora-soak --cycles 1000`.
file(GLOB soak_src CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
add_executable(lora_soak ${soak_src})
set_target_properties(lora_soak PROPERTIES OUTPUT_NAME lora-soak)
target_link_libraries(lora_soak PRIVATE lora_net spdlog::spdlog)
target_include_directories(lora_soak PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_dependencies(lora_soak lorad)
add_test(NAME soak_smoke COMMAND lora_soak --cycles 6)
set_tests_properties(soak_smoke PROPERTIES LABELS soak TIMEOUT 300)
