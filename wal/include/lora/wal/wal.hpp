// Umbrella header of the WAL library.
#pragma once

#include <lora/wal/error.hpp>
#include <lora/wal/fault.hpp>
#include <lora/wal/format.hpp>
#include <lora/wal/reader.hpp>
#include <lora/wal/writer.hpp>
