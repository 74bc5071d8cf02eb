// The admin routes of lorad: checkpoint, snapshot save/load confined to the snapshot
// directory, and WAL status. All take the same bearer token as the query routes.
#include <lora/errors.hpp>
#include <lora/lora.hpp>
#include <lora/net/admin.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace lora::net {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

[[noreturn]] void invalid_path(std::string_view name, std::string_view why) {
    throw errors::invalid_path("snapshot path '" + std::string(name) + "' " + std::string(why));
}

Response ok_json(const Json& j) {
    Response r;
    r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    return r;
}

// Reads {"path": string} from a snapshot request; on a bad body fills `error` instead.
std::optional<std::string> snapshot_name(const Request& req, Response& error) {
    Json j = Json::parse(req.body, nullptr, false);
    if (j.is_discarded()) {
        error = request_error(400, "Request.InvalidJson", "request body is not valid JSON");
        return std::nullopt;
    }
    if (!j.is_object() || !j.contains("path")) {
        error = request_error(400, "Request.MissingField",
                              "request body must be a JSON object with a \"path\" string");
        return std::nullopt;
    }
    if (!j["path"].is_string()) {
        error =
            request_error(400, "Request.InvalidField",
                          std::string("\"path\" must be a string, got ") + j["path"].type_name());
        return std::nullopt;
    }
    return j["path"].get<std::string>();
}

// Runs `f(resolved path)`, mapping a refused path to 400 and engine errors to their status.
template <typename F>
Response with_snapshot_path(const fs::path& dir, const Request& req, F&& f) {
    Response bad;
    auto name = snapshot_name(req, bad);
    if (!name) return bad;
    fs::path path;
    try {
        path = resolve_snapshot_path(dir, *name);
    } catch (const Error& e) {
        return request_error(400, "Request.InvalidPath", e.message());
    }
    return f(*name, path);
}

// A route read-only access may not call.
Route changing_state(Route r) {
    r.changes_state = true;
    return r;
}

}  // namespace

fs::path resolve_snapshot_path(const fs::path& dir, std::string_view name) {
    if (name.empty()) invalid_path(name, "is empty");
    if (name.find('\0') != std::string_view::npos)
        invalid_path("<with NUL>", "contains a NUL byte");
    fs::path rel(name);
    if (rel.is_absolute() || rel.has_root_directory() || rel.has_root_name())
        invalid_path(name, "must be relative to the snapshot directory");
    for (const auto& part : rel)
        if (part == "..") invalid_path(name, "must not contain '..'");
    std::error_code ec;
    fs::path base = fs::weakly_canonical(fs::absolute(dir), ec);
    if (ec) invalid_path(name, "cannot be resolved: " + ec.message());
    // weakly_canonical follows every symlink that exists, so a link inside the directory
    // pointing elsewhere is caught by the prefix check below.
    fs::path full = fs::weakly_canonical(base / rel, ec);
    if (ec) invalid_path(name, "cannot be resolved: " + ec.message());
    auto b = base.begin(), f = full.begin();
    for (; b != base.end(); ++b, ++f)
        if (f == full.end() || *b != *f)
            invalid_path(name, "resolves outside the snapshot directory");
    if (f == full.end()) invalid_path(name, "names the snapshot directory itself, not a file");
    return full;
}

void add_admin_routes(Router& router, Database& db, fs::path snapshot_dir) {
    router.add(
        changing_state({"POST", "/admin/checkpoint", Dispatch::Worker, [&db](const Request&) {
                            uint64_t lsn = db.checkpoint();
                            spdlog::info("checkpoint at LSN {} (admin request)", lsn);
                            return ok_json(Json{{"checkpoint_lsn", lsn}});
                        }}));
    router.add(changing_state(
        {"POST", "/admin/snapshot/save", Dispatch::Worker, [&db, snapshot_dir](const Request& req) {
             return with_snapshot_path(
                 snapshot_dir, req, [&](const std::string& name, const fs::path& path) {
                     std::error_code ec;
                     fs::create_directories(path.parent_path(), ec);
                     if (ec)
                         return request_error(
                             500, "DatabaseError.Io",
                             "cannot create " + path.parent_path().string() + ": " + ec.message());
                     db.snapshot_save(path.string());
                     uint64_t bytes = fs::file_size(path, ec);
                     spdlog::info("snapshot saved to {} ({} bytes)", path.string(), bytes);
                     return ok_json(Json{{"path", name}, {"bytes", ec ? 0 : bytes}});
                 });
         }}));
    router.add(changing_state(
        {"POST", "/admin/snapshot/load", Dispatch::Worker, [&db, snapshot_dir](const Request& req) {
             return with_snapshot_path(
                 snapshot_dir, req, [&](const std::string& name, const fs::path& path) {
                     std::error_code ec;
                     if (!fs::is_regular_file(path, ec))
                         return request_error(
                             404, "Request.SnapshotNotFound",
                             "no snapshot file '" + name + "' in the snapshot directory");
                     db.snapshot_load(path.string());
                     spdlog::info("snapshot loaded from {}", path.string());
                     return ok_json(Json{{"loaded", name}});
                 });
         }}));
    router.add({"GET", "/admin/wal/status", Dispatch::Inline, [&db](const Request&) {
                    WalStatus s = db.wal_status();
                    Json j{{"enabled", s.enabled},   {"records", s.records},
                           {"bytes", s.bytes},       {"fsyncs", s.fsyncs},
                           {"batches", s.batches},   {"last_durable_lsn", s.last_durable_lsn},
                           {"next_lsn", s.next_lsn}, {"checkpoint_lsn", s.checkpoint_lsn},
                           {"poisoned", s.poisoned}};
                    if (s.poisoned) j["poison_reason"] = s.poison_reason;
                    return ok_json(j);
                }});
}

}  // namespace lora::net
