# test_durability: crash, fault-injection and file-damage tests of a persistent database.
# The tests fork/exec durability_child (a writer process they kill) and reopen its data dir.
add_executable(durability_child ${CMAKE_CURRENT_LIST_DIR}/child/durability_child.cpp)
# lora_engine: the fault-injection registry (lora/wal/fault.hpp) must be the engine's own.
target_link_libraries(durability_child PRIVATE lora_engine)
lora_add_suite(test_durability durability lora_engine)
add_dependencies(test_durability durability_child)
