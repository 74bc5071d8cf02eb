# The protocol tables in docs/architecture.md must match the typed actor interfaces in the
# role headers (tools/check_protocol_docs.py, Python standard library only).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME protocol_docs
         COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tools/check_protocol_docs.py
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(protocol_docs PROPERTIES LABELS "docs")
