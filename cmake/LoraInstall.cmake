# Install rules and the CMake / pkg-config packages (included from the top CMakeLists.txt
# after every folder is added).
#
#   cmake --install build --prefix P
#
# installs P/include/lora/*.hpp (the public API) and lora.h (the C API), the libraries
# lora::lora needs (static build: liblora.a and the internal static libraries it links;
# shared build: liblora.so alone), liblora_c.so (lora::lora_c), lorad, lora and
# lora-bench, P/lib/cmake/lora/ (find_package(lora)) and P/lib/pkgconfig/{lora,lora-c}.pc.
include(CMakePackageConfigHelpers)

set(LORA_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lora)

install(FILES ${LORA_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lora)

# The libraries, in link order (each before those it needs).
if(BUILD_SHARED_LIBS)
  set(LORA_INSTALLED_LIBS lora)
else()
  set(LORA_INSTALLED_LIBS lora lora_actors lora_exec lora_cypher lora_functions lora_storage
                          lora_wal lora_values)
endif()
install(TARGETS ${LORA_INSTALLED_LIBS} EXPORT loraTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The C API's liblora_c.so (lora::lora_c), in both builds.
install(TARGETS lora_c EXPORT loraTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT loraTargets NAMESPACE lora:: DESTINATION ${LORA_CMAKE_INSTALL_DIR})

set(LORA_INSTALLED_PROGRAMS lorad lora_shell)
if(LORA_BUILD_BENCH)
  list(APPEND LORA_INSTALLED_PROGRAMS lora-bench)
endif()
install(TARGETS ${LORA_INSTALLED_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# loraConfig.cmake finds what the libraries need at link time itself (static build), with
# the Find modules of cmake/ installed beside it.
set(LORA_PACKAGE_SHARED ${BUILD_SHARED_LIBS})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/loraConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/loraConfig.cmake
                              INSTALL_DESTINATION ${LORA_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/loraConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/loraConfig.cmake ${PROJECT_BINARY_DIR}/loraConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/FindCAF.cmake ${CMAKE_CURRENT_LIST_DIR}/Findxxhash.cmake
              ${CMAKE_CURRENT_LIST_DIR}/Findlibcsv.cmake
        DESTINATION ${LORA_CMAKE_INSTALL_DIR})

# lora.pc, relocatable: the prefix is found from the .pc file's own place.
set(LORA_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH LORA_PC_TO_PREFIX /prefix/${LORA_PC_DIR} /prefix)
string(REGEX REPLACE "/$" "" LORA_PC_TO_PREFIX "${LORA_PC_TO_PREFIX}")
list(TRANSFORM LORA_INSTALLED_LIBS PREPEND -l OUTPUT_VARIABLE LORA_PC_LIBS)
list(JOIN LORA_PC_LIBS " " LORA_PC_LIBS)
if(BUILD_SHARED_LIBS)
  # liblora.so carries its own dependencies (DT_NEEDED); a program using lora/service.hpp
  # calls CAF itself.
  string(APPEND LORA_PC_LIBS " -lcaf_core")
  set(LORA_PC_REQUIRES_PRIVATE "")
  set(LORA_PC_LIBS_PRIVATE "")
else()
  # Link with `pkg-config --static --libs lora`: CAF has no .pc file.
  set(LORA_PC_REQUIRES_PRIVATE
      "liburing libpcre2-8 icu-uc libzstd libxxhash zlib spdlog fmt flatbuffers")
  set(LORA_PC_LIBS_PRIVATE "-lcaf_core -lcsv -ldate-tz -pthread")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/lora.pc.in ${PROJECT_BINARY_DIR}/lora.pc @ONLY)
# lora-c.pc: liblora_c.so carries its dependencies (DT_NEEDED), so -llora_c is all.
configure_file(${CMAKE_CURRENT_LIST_DIR}/lora-c.pc.in ${PROJECT_BINARY_DIR}/lora-c.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lora.pc ${PROJECT_BINARY_DIR}/lora-c.pc
        DESTINATION ${LORA_PC_DIR})
