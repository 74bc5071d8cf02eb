// Fault-injection registry built into the product: named points that code checks with
// lora::fault::hit(), armed by the LORA_FAULT environment variable or programmatically.
#pragma once

#include <string_view>

namespace lora::fault {

// Spec syntax: comma-separated points, e.g. "wal_write_eio,checkpoint_crash_mid".
// "point@N" arms the point for its Nth evaluation only (1-based), so a test can let some
// work succeed before the fault fires. Unknown names are allowed: components add points
// by simply checking them.
//
// Points the WAL checks: wal_write_eio, wal_write_enospc (the next write fails with that
// errno), wal_crash_after_write (SIGKILL after a write completes, before its sync),
// wal_crash_after_sync (SIGKILL after the sync, before callbacks run), wal_sync_eio (the
// next fdatasync reports EIO after the write itself succeeded).

// True when `point` is armed and fires now. LORA_FAULT is read once, on the first call to
// any function here. Cheap when nothing is armed (one atomic load). Thread-safe.
bool hit(std::string_view point);

// Replaces the active spec (LORA_FAULT is not consulted afterwards). Thread-safe.
void set(std::string_view spec);

// Disarms every point.
void clear();

// Re-reads LORA_FAULT now (replacing the active spec), for a process that sets the
// variable after start-up.
void load_env();

// Kills this process with SIGKILL, as a power cut would: no destructors, no flushing.
[[noreturn]] void crash();

}  // namespace lora::fault
