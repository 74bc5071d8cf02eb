# test_net: lorad end to end over real sockets, plus the router/config/metrics units.
# Included from tests/CMakeLists.txt. The end-to-end tests start build/tools/lorad.
lora_add_suite(test_net net lora_net lora_json)
if(TARGET test_net AND TARGET lorad)
  add_dependencies(test_net lorad)
endif()
