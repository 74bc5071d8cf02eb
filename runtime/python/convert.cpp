#include "convert.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace lora::python {

namespace {

// The classes of lora._types. Never freed: they live as long as the interpreter, and
// releasing them from a static destructor would run after it is gone.
struct PythonTypes {
    py::object node, relationship, path, vector;
};
PythonTypes* types = nullptr;

// Where a value sits inside the parameters, for error messages: `$people[3]['name']`.
struct Where {
    const Where* parent = nullptr;
    std::string_view key;  // the parameter name at the root, else a map key
    size_t index = 0;      // a list index when `is_index`
    bool is_index = false;
    uint32_t depth = 0;  // lists and maps around the value
};

std::string describe(const Where& where) {
    // Deep paths are named by their parameter and depth: a path of a thousand steps helps
    // nobody.
    constexpr uint32_t kMaxSteps = 8;
    const Where* root = &where;
    while (root->parent) root = root->parent;
    std::string name = "$" + std::string(root->key);
    if (where.depth > kMaxSteps) return name + " (" + std::to_string(where.depth) + " levels down)";
    std::string steps;
    for (const Where* w = &where; w->parent; w = w->parent) {
        steps.insert(0, w->is_index ? "[" + std::to_string(w->index) + "]"
                                    : "['" + std::string(w->key) + "']");
    }
    return name + steps;
}

[[noreturn]] void raise(PyObject* type, const std::string& message) {
    PyErr_SetString(type, ("lora: " + message).c_str());
    throw py::error_already_set();
}

std::string type_name(py::handle obj) { return Py_TYPE(obj.ptr())->tp_name; }

std::string utf8(py::handle str) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(str.ptr(), &size);
    if (!data) throw py::error_already_set();
    return std::string(data, static_cast<size_t>(size));
}

void check_nesting(const Where& where) {
    // A list or map at this depth would nest deeper than a Value may; refused before
    // recursing further, which also ends a list that contains itself.
    if (where.depth >= kMaxValueNesting) {
        raise(PyExc_ValueError, describe(where) + ": lists and maps nest at most " +
                                    std::to_string(kMaxValueNesting) + " levels deep");
    }
}

Value to_value(py::handle obj, const Where& where);

Value sequence_to_value(py::handle obj, const Where& where) {
    check_nesting(where);
    py::sequence seq = py::reinterpret_borrow<py::sequence>(obj);
    List list;
    list.reserve(seq.size());
    size_t i = 0;
    for (py::handle item : seq) {
        list.push_back(to_value(item, Where{&where, {}, i, true, where.depth + 1}));
        ++i;
    }
    return Value(std::move(list));
}

Value dict_to_value(py::handle obj, const Where& where) {
    check_nesting(where);
    Map map;
    for (auto [key, item] : py::reinterpret_borrow<py::dict>(obj)) {
        if (!PyUnicode_Check(key.ptr())) {
            raise(PyExc_TypeError, describe(where) + ": map keys must be str, not " +
                                       type_name(key) + " (" + py::repr(key).cast<std::string>() +
                                       ")");
        }
        std::string name = utf8(key);
        Value value = to_value(item, Where{&where, name, 0, false, where.depth + 1});
        map.insert_or_assign(std::move(name), std::move(value));
    }
    return Value(std::move(map));
}

Value vector_to_value(py::handle obj) {
    Vector vector;
    for (py::handle coord : obj.attr("coords")) vector.coords.push_back(coord.cast<float>());
    return Value(std::move(vector));  // checks dimension and finiteness
}

Value to_value(py::handle obj, const Where& where) {
    PyObject* o = obj.ptr();
    if (o == Py_None) return Value();
    if (PyBool_Check(o)) return Value(o == Py_True);
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow) {
            raise(PyExc_OverflowError, describe(where) + ": " + py::repr(obj).cast<std::string>() +
                                           " does not fit in a 64-bit integer");
        }
        if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
        return Value(static_cast<int64_t>(v));
    }
    if (PyFloat_Check(o)) return Value(PyFloat_AS_DOUBLE(o));
    if (PyUnicode_Check(o)) return Value(utf8(obj));
    if (PyList_Check(o) || PyTuple_Check(o)) return sequence_to_value(obj, where);
    if (PyDict_Check(o)) return dict_to_value(obj, where);
    if (py::isinstance(obj, types->vector)) return vector_to_value(obj);
    raise(PyExc_TypeError,
          describe(where) + " is a " + type_name(obj) +
              ", which has no lora value (use None, bool, int, float, str, list, tuple, dict "
              "with str keys, or lora.Vector)");
}

py::dict map_to_python(const Map& map) {
    py::dict dict;
    for (const auto& [key, value] : map) dict[py::str(key)] = to_python(value);
    return dict;
}

py::object node_to_python(const Node& node) {
    py::tuple labels(node.data ? node.data->labels.size() : 0);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = py::str(node.data->labels[i]);
    return types->node(node.id, labels,
                       node.data ? map_to_python(node.data->properties) : py::dict());
}

py::object relationship_to_python(const Relationship& rel) {
    return types->relationship(rel.id, rel.data ? rel.data->type : std::string(), rel.start,
                               rel.end,
                               rel.data ? map_to_python(rel.data->properties) : py::dict());
}

py::object path_to_python(const Path& path) {
    py::tuple nodes(path.nodes.size());
    for (size_t i = 0; i < path.nodes.size(); ++i) nodes[i] = node_to_python(path.nodes[i]);
    py::tuple rels(path.rels.size());
    for (size_t i = 0; i < path.rels.size(); ++i) rels[i] = relationship_to_python(path.rels[i]);
    return types->path(nodes, rels);
}

}  // namespace

void load_python_types() {
    py::module_ module = py::module_::import("lora._types");
    types = new PythonTypes{module.attr("Node"), module.attr("Relationship"), module.attr("Path"),
                            module.attr("Vector")};
}

Params to_params(py::handle params) {
    Params out;
    if (params.is_none()) return out;
    if (!PyDict_Check(params.ptr())) {
        raise(PyExc_TypeError, "params must be a dict, not " + type_name(params));
    }
    for (auto [key, item] : py::reinterpret_borrow<py::dict>(params)) {
        if (!PyUnicode_Check(key.ptr())) {
            raise(PyExc_TypeError, "parameter names must be str, not " + type_name(key) + " (" +
                                       py::repr(key).cast<std::string>() + ")");
        }
        std::string name = utf8(key);
        Value value = to_value(item, Where{nullptr, name, 0, false, 0});
        out.insert_or_assign(std::move(name), std::move(value));
    }
    return out;
}

py::object to_python(const Value& value) {
    switch (value.kind()) {
        case ValueKind::Null: return py::none();
        case ValueKind::Bool: return py::bool_(value.as_bool());
        case ValueKind::Int: return py::int_(value.as_int());
        case ValueKind::Float: return py::float_(value.as_float());
        case ValueKind::String: return py::str(value.as_string());
        case ValueKind::List: {
            const List& list = value.as_list();
            py::list out(list.size());
            for (size_t i = 0; i < list.size(); ++i) out[i] = to_python(list[i]);
            return out;
        }
        case ValueKind::Map: return map_to_python(value.as_map());
        case ValueKind::Node: return node_to_python(value.as_node());
        case ValueKind::Relationship: return relationship_to_python(value.as_relationship());
        case ValueKind::Path: return path_to_python(value.as_path());
        case ValueKind::Vector: {
            const std::vector<float>& coords = value.as_vector().coords;
            py::tuple out(coords.size());
            for (size_t i = 0; i < coords.size(); ++i) out[i] = py::float_(coords[i]);
            return types->vector(out);
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration:
            // Temporal values reach Python as their ISO-8601 text for now.
            return py::str(value.to_string());
    }
    return py::none();
}

py::list rows_to_python(const std::vector<std::vector<Value>>& rows) {
    py::list out(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        const std::vector<Value>& row = rows[r];
        py::tuple tuple(row.size());
        for (size_t c = 0; c < row.size(); ++c) tuple[c] = to_python(row[c]);
        out[r] = std::move(tuple);
    }
    return out;
}

py::dict stats_to_python(const QueryStats& stats) {
    py::dict out;
    out["nodes_created"] = stats.nodes_created;
    out["nodes_deleted"] = stats.nodes_deleted;
    out["relationships_created"] = stats.relationships_created;
    out["relationships_deleted"] = stats.relationships_deleted;
    out["properties_set"] = stats.properties_set;
    out["labels_added"] = stats.labels_added;
    out["labels_removed"] = stats.labels_removed;
    return out;
}

}  // namespace lora::python
