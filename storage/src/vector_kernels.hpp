// Distance kernels of the vector index (internal): int8 scalar-quantized codes for the HNSW
// walk and float32 for the exact re-rank, each with a scalar version and SIMD versions
// chosen at run time, so a portable build uses what the CPU has.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lora::storage::vk {

// Instruction set levels, each a superset of the one before. Scalar runs anywhere.
enum class Isa : uint8_t { Scalar, Avx2, Avx512Bw, Avx512Vnni };
const char* isa_name(Isa isa);
bool isa_supported(Isa isa);  // by this CPU and this build
// The level indexes use from their construction on: the best supported, unless a test
// lowered it with limit_isa (Isa::Scalar: the portable kernels everywhere).
Isa best_isa();
void limit_isa(Isa highest);

// A quantized vector: x[i] ~ offset + scale * code[i] with code[i] in [-127, 127]. The
// offset and scale are per vector (the midpoint and half-range of its coordinates), so no
// training set is needed and every insert is encoded on its own.
struct QHead {
    float scale;
    float offset;
    float scaled_sum;  // scale * sum(code): the cross term of the estimated inner product
    float norm2;       // the exact squared norm of x (the euclidean distance needs it)
};
// Bytes of one encoded vector: the head, then `dim` codes, padded to 4 bytes so the link
// lists hnswlib stores after it stay aligned.
size_t code_bytes(size_t dim);
// Encodes the finite vector x[0..dim) into out[0..code_bytes(dim)).
void encode(const float* x, size_t dim, void* out);

// sum(a[i] * b[i]) over int8 codes in [-127, 127] (never -128: the SIMD kernels rely on it).
using DotI8 = int32_t (*)(const int8_t* a, const int8_t* b, size_t n);
DotI8 dot_i8(Isa isa);

// hnswlib's DISTFUNC shape; `param` points to the dimension (a size_t).
using DistFn = float (*)(const void* a, const void* b, const void* param);
// On encoded vectors: 1 - <x, y> (unit vectors: the cosine distance) and |x - y|^2,
// estimated from the codes.
DistFn quantized_ip_distance(Isa isa);
DistFn quantized_l2_distance(Isa isa);
// On float vectors, exact: 1 - <x, y> and |x - y|^2.
DistFn float_ip_distance(Isa isa);
DistFn float_l2_distance(Isa isa);

}  // namespace lora::storage::vk
