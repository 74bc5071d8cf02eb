// lorad's admin routes (checkpoint, snapshots, WAL status) and the confinement of snapshot
// paths to one directory, so an HTTP client can never name a file elsewhere on the host.
#pragma once

#include <lora/net/router.hpp>

#include <filesystem>
#include <string_view>

namespace lora {
class Database;
}

namespace lora::net {

// Resolves the client-given `name` inside `dir`. Throws lora::Error (detail InvalidPath)
// for an empty name, an absolute path, a ".." component, a NUL byte, or a path that
// resolves (through symlinks) outside `dir`. `dir` need not exist yet.
std::filesystem::path resolve_snapshot_path(const std::filesystem::path& dir,
                                            std::string_view name);

// GET /health's answer: 200 {"status":"ok"}, or 503 {"status":"read-only","reason":..}.
Response health_response(bool read_only, std::string_view reason);

// POST /admin/checkpoint, POST /admin/snapshot/save, POST /admin/snapshot/load,
// GET /admin/wal/status. Snapshot files live in `snapshot_dir` (created on the first save).
void add_admin_routes(Router& router, Database& db, std::filesystem::path snapshot_dir);

}  // namespace lora::net
