# Checks what liblora_c.so exports: the lora_* functions alone, each with the symbol
# version LORA_C_<major>, and the soname liblora_c.so.<major>. Run by the ctest
# test_capi:exports as
#   cmake -DLIB=<path of liblora_c.so> -DMAJOR=<C API major> -P check_exports.cmake
find_program(NM nm REQUIRED)
find_program(READELF readelf REQUIRED)
execute_process(COMMAND ${NM} -D --defined-only ${LIB} OUTPUT_VARIABLE symbols
                COMMAND_ERROR_IS_FATAL ANY)
string(REPLACE "\n" ";" symbols "${symbols}")
set(functions 0)
foreach(line ${symbols})
  if(line MATCHES " A LORA_C_${MAJOR}$")
    continue()
  elseif(line MATCHES " T lora_[a-z0-9_]+@@LORA_C_${MAJOR}$")
    math(EXPR functions "${functions} + 1")
  else()
    message(FATAL_ERROR "liblora_c exports what it should not: ${line}")
  endif()
endforeach()
if(functions LESS 50)
  message(FATAL_ERROR "liblora_c exports only ${functions} lora_* functions")
endif()
execute_process(COMMAND ${READELF} -d ${LIB} OUTPUT_VARIABLE dynamic COMMAND_ERROR_IS_FATAL ANY)
if(NOT dynamic MATCHES "Library soname: \\[liblora_c\\.so\\.${MAJOR}\\]")
  message(FATAL_ERROR "liblora_c's soname is not liblora_c.so.${MAJOR}")
endif()
message(STATUS "liblora_c exports ${functions} lora_* functions at LORA_C_${MAJOR}")
