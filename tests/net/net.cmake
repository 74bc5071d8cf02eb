# test_net: lorad and the lora shell end to end over real sockets, plus the router/config/
# metrics/admin units. Included from tests/CMakeLists.txt. The end-to-end tests start
# build/tools/lorad and build/tools/lora.
lora_add_suite(test_net net lora_net)
# forkpty, for driving the interactive shell through a pseudo-terminal.
target_link_libraries(test_net PRIVATE util)
add_dependencies(test_net lorad lora_shell)
