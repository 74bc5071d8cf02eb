// Values between Python and lora. Parameters come in as None, bool, int, float, str, list,
// tuple, dict (str keys) and lora.Vector; results go out as the same Python types plus
// lora.Node, lora.Relationship and lora.Path (runtime/python/lora/_types.py).
#pragma once

#include <lora/lora.hpp>

#include <pybind11/pybind11.h>

#include <vector>

namespace lora::python {

namespace py = pybind11;

// Looks up the classes of lora._types that results are made of. Called once, at import.
void load_python_types();

// A dict of parameters (or None for none). Anything that has no lora value raises a
// TypeError, an int outside 64 bits an OverflowError, nesting past kMaxValueNesting a
// ValueError, each naming the parameter ($name[2]['key']).
Params to_params(py::handle params);

py::object to_python(const Value& value);
// A list of tuples, one per row.
py::list rows_to_python(const std::vector<std::vector<Value>>& rows);
py::dict stats_to_python(const QueryStats& stats);

}  // namespace lora::python
