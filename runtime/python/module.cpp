// lora._lora: the C++ half of the Python package (runtime/python/lora/ is the other). It
// binds the embedding API through the handles of handles.hpp, with the GIL released around
// every engine call and held while values are converted, and raises each lora::Error as
// the lora.Error subclass of its class (lora/_errors.py).
#include "convert.hpp"
#include "handles.hpp"

#include <lora/lora.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace lora::python;

namespace {

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

// What a Python object holds of a handle. A cursor or transaction is let go of with the GIL
// held: closing it cancels or rolls back its statement, which the engine finishes without
// Python, and the GIL is never given up in this (noexcept) destructor, so a daemon thread
// dropping one while the interpreter shuts down is not ended inside it (asking for the GIL
// back then ends the thread by a forced unwind, which aborts the process in a noexcept
// frame). A database may take longer to shut down, so it is let go of without the GIL,
// except while the interpreter shuts down.
template <class Handle>
struct Owned {
    std::shared_ptr<Handle> handle;
    explicit Owned(std::shared_ptr<Handle> h) : handle(std::move(h)) {}
    Owned(Owned&&) noexcept = default;
    ~Owned() {
        if (!handle) return;
        if (!std::is_same_v<Handle, DatabaseHandle> || interpreter_finalizing()) {
            handle.reset();
            return;
        }
        py::gil_scoped_release nogil;
        handle.reset();
    }
};
using PyDatabase = Owned<DatabaseHandle>;
using PyCursor = Owned<CursorHandle>;
using PyTransaction = Owned<TransactionHandle>;

// lora._errors._from_engine; never freed, like the classes of convert.cpp.
py::object* make_error = nullptr;

void raise_engine_error(const lora::Error& e) {
    try {
        py::object error =
            (*make_error)(e.code(), std::string(lora::error_class_name(e.error_class())),
                          e.message(), e.line(), e.column(), e.kind() == lora::ErrorKind::Conflict);
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
    } catch (py::error_already_set& failed) {
        failed.restore();
    }
}

py::tuple result_to_python(const lora::Result& result) {
    return py::make_tuple(py::cast(result.columns), rows_to_python(result.rows),
                          stats_to_python(result.stats));
}

// Takes the GIL back when a call into the engine ends. While the interpreter shuts down,
// Python ends a daemon thread that asks for the GIL (pthread_exit, a forced unwind): this
// destructor lets that unwind through, where py::gil_scoped_release's (noexcept) would
// abort the process.
struct ReacquireGil {
    PyThreadState* state;
    ~ReacquireGil() noexcept(false) { PyEval_RestoreThread(state); }
};

template <class Fn>
decltype(auto) without_gil(Fn&& fn) {
    ReacquireGil reacquire{PyEval_SaveThread()};
    return fn();
}

PyDatabase open_database(const std::string& path, uint32_t shards, uint32_t threads,
                         const std::string& sync) {
    lora::Options options;
    options.data_dir = path;
    options.shards = shards;
    options.threads = threads;
    options.sync = sync;
    return PyDatabase(without_gil([&] { return std::make_shared<DatabaseHandle>(options); }));
}

py::tuple execute(PyDatabase& self, const std::string& query, py::handle params) {
    lora::Params p = to_params(params);
    lora::Result result = without_gil(
        [&] { return self.handle->use([&](lora::Database& db) { return db.execute(query, p); }); });
    return result_to_python(result);
}

py::object next_chunk(PyCursor& self) {
    std::vector<std::vector<lora::Value>> rows;
    if (!without_gil([&] { return self.handle->next(rows); })) return py::none();
    return rows_to_python(rows);
}

py::object cursor_stats(PyCursor& self) {
    std::optional<lora::QueryStats> stats = without_gil([&] { return self.handle->stats(); });
    if (!stats) return py::none();
    return stats_to_python(*stats);
}

}  // namespace

PYBIND11_MODULE(_lora, m) {
    m.doc() = "The C++ half of the lora package; use `import lora`.";
    load_python_types();
    make_error = new py::object(py::module_::import("lora._errors").attr("_from_engine"));
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const lora::Error& e) {
            raise_engine_error(e);
        }
    });

    py::class_<PyDatabase>(m, "Database")
        .def(py::init(&open_database), py::arg("path"), py::arg("shards"), py::arg("threads"),
             py::arg("sync"))
        .def("execute", &execute)
        .def("stream",
             [](PyDatabase& self, const std::string& query, py::handle params) {
                 lora::Params p = to_params(params);
                 return PyCursor(
                     without_gil([&] { return CursorHandle::open(self.handle, query, p); }));
             })
        .def("begin",
             [](PyDatabase& self) {
                 return PyTransaction(
                     without_gil([&] { return TransactionHandle::begin(self.handle); }));
             })
        .def("checkpoint",
             [](PyDatabase& self) {
                 return without_gil([&] {
                     return self.handle->use([](lora::Database& db) { return db.checkpoint(); });
                 });
             })
        .def("snapshot_save",
             [](PyDatabase& self, const std::string& path) {
                 without_gil([&] {
                     self.handle->use([&](lora::Database& db) { db.snapshot_save(path); });
                 });
             })
        .def("snapshot_load",
             [](PyDatabase& self, const std::string& path) {
                 without_gil([&] {
                     self.handle->use([&](lora::Database& db) { db.snapshot_load(path); });
                 });
             })
        .def_property_readonly(
            "shard_count",
            [](PyDatabase& self) {
                return without_gil([&] {
                    return self.handle->use([](lora::Database& db) { return db.shard_count(); });
                });
            })
        .def("close", [](PyDatabase& self) { without_gil([&] { self.handle->close(); }); });

    py::class_<PyCursor>(m, "Cursor")
        .def_property_readonly("columns", [](PyCursor& self) { return self.handle->columns(); })
        .def("next_chunk", &next_chunk)
        .def("stats", &cursor_stats)
        .def("close", [](PyCursor& self) { without_gil([&] { self.handle->close(); }); });

    py::class_<PyTransaction>(m, "Transaction")
        .def("execute",
             [](PyTransaction& self, const std::string& query, py::handle params) {
                 lora::Params p = to_params(params);
                 lora::Result result = without_gil([&] { return self.handle->execute(query, p); });
                 return result_to_python(result);
             })
        .def("commit", [](PyTransaction& self) { without_gil([&] { self.handle->commit(); }); })
        .def("rollback", [](PyTransaction& self) { without_gil([&] { self.handle->rollback(); }); })
        .def_property_readonly("open", [](PyTransaction& self) {
            return without_gil([&] { return self.handle->open(); });
        });
}
