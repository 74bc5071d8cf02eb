# lorad: the HTTP/JSON daemon (included from tools/CMakeLists.txt).
find_package(tomlplusplus REQUIRED)
add_executable(lorad ${CMAKE_CURRENT_LIST_DIR}/lorad_main.cpp)
target_link_libraries(lorad PRIVATE lora_net CLI11::CLI11 tomlplusplus::tomlplusplus
                      spdlog::spdlog lora_mimalloc_new)
