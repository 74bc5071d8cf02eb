# test_net: lorad and the lora shell end to end over real sockets, plus the router/config/
# metrics/admin units. Included from tests/CMakeLists.txt. The end-to-end tests start
# build/tools/lorad and build/tools/lora.
lora_add_suite(test_net net lora_net lora_json)
if(TARGET test_net)
  # forkpty, for driving the interactive shell through a pseudo-terminal.
  target_link_libraries(test_net PRIVATE util)
  foreach(tool lorad lora_shell)
    if(TARGET ${tool})
      add_dependencies(test_net ${tool})
    endif()
  endforeach()
endif()
