# The Python package's tests (unittest, tests/python/test_*.py), one ctest each, named
# python_<file>, run by the interpreter the module was built for against build/python.
# Not registered in sanitizer builds: an instrumented module cannot be loaded into an
# uninstrumented python3.
if(LORA_BUILD_PYTHON AND NOT LORA_SANITIZE)
  file(GLOB python_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.py)
  foreach(test_file ${python_tests})
    get_filename_component(module ${test_file} NAME_WE)
    string(REGEX REPLACE "^test_" "python_" name ${module})
    add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} -m unittest -v ${module}
             WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
    set_tests_properties(${name} PROPERTIES
                         ENVIRONMENT "PYTHONPATH=${LORA_PYTHON_DIR};PYTHONDONTWRITEBYTECODE=1"
                         LABELS python TIMEOUT 300)
  endforeach()
endif()
