// The vector index's distance kernels (see vector_kernels.hpp): scalar, AVX2 and AVX-512
// versions compiled side by side with target attributes and picked at run time.
#include "vector_kernels.hpp"

#if defined(__x86_64__)
// GCC 12's AVX-512 headers read _mm256_undefined_*() values and warn about it in every
// function that extracts a half register.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace lora::storage::vk {

namespace {

// ---- scalar

int32_t dot_i8_scalar(const int8_t* a, const int8_t* b, size_t n) {
    int32_t s = 0;
    for (size_t i = 0; i < n; ++i) s += int32_t{a[i]} * int32_t{b[i]};
    return s;
}

float dot_f32_scalar(const float* x, const float* y, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; ++i) s += x[i] * y[i];
    return s;
}

float l2sq_f32_scalar(const float* x, const float* y, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; ++i) {
        const float d = x[i] - y[i];
        s += d * d;
    }
    return s;
}

// ---- the estimate shared by every quantized kernel
//
// With x = ax + sx * cx and y = ay + sy * cy coordinate-wise:
// <x, y> = n ax ay + ax sy sum(cy) + ay sx sum(cx) + sx sy <cx, cy>.

inline const QHead& head(const void* p) { return *static_cast<const QHead*>(p); }
inline const int8_t* codes(const void* p) {
    return reinterpret_cast<const int8_t*>(static_cast<const char*>(p) + sizeof(QHead));
}
inline size_t dim_of(const void* param) { return *static_cast<const size_t*>(param); }

inline float estimated_dot(const QHead& x, const QHead& y, int32_t code_dot, size_t n) {
    return static_cast<float>(n) * x.offset * y.offset + x.offset * y.scaled_sum +
           y.offset * x.scaled_sum + x.scale * y.scale * static_cast<float>(code_dot);
}

template <int32_t (*Dot)(const int8_t*, const int8_t*, size_t)>
float q_ip(const void* a, const void* b, const void* param) {
    const size_t n = dim_of(param);
    return 1.0f - estimated_dot(head(a), head(b), Dot(codes(a), codes(b), n), n);
}

template <int32_t (*Dot)(const int8_t*, const int8_t*, size_t)>
float q_l2(const void* a, const void* b, const void* param) {
    const size_t n = dim_of(param);
    return head(a).norm2 + head(b).norm2 -
           2.0f * estimated_dot(head(a), head(b), Dot(codes(a), codes(b), n), n);
}

float f_ip_scalar(const void* a, const void* b, const void* param) {
    return 1.0f - dot_f32_scalar(static_cast<const float*>(a), static_cast<const float*>(b),
                                 dim_of(param));
}

float f_l2_scalar(const void* a, const void* b, const void* param) {
    return l2sq_f32_scalar(static_cast<const float*>(a), static_cast<const float*>(b),
                           dim_of(param));
}

#if defined(__x86_64__)

// ---- AVX2 (+FMA for the float kernels)

__attribute__((target("avx2,fma"))) inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 0x55));
    return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2"))) inline int32_t hsum256_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// maddubs multiplies unsigned by signed bytes: |a| times b with a's sign moved onto b is
// a * b, and two products of magnitude <= 127 * 127 cannot saturate its 16-bit sums.
__attribute__((target("avx2"))) inline int32_t dot_i8_avx2_inl(const int8_t* a, const int8_t* b,
                                                               size_t n) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
        const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 32));
        const __m256i y1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 32));
        const __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(x0), _mm256_sign_epi8(y0, x0));
        const __m256i p1 = _mm256_maddubs_epi16(_mm256_abs_epi8(x1), _mm256_sign_epi8(y1, x1));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
    }
    for (; i + 32 <= n; i += 32) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
        const __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p, ones));
    }
    if (i + 16 <= n) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
        const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
        const __m128i p = _mm_maddubs_epi16(_mm_abs_epi8(x), _mm_sign_epi8(y, x));
        acc1 = _mm256_add_epi32(acc1, _mm256_zextsi128_si256(_mm_madd_epi16(p, _mm_set1_epi16(1))));
        i += 16;
    }
    int32_t s = hsum256_epi32(_mm256_add_epi32(acc0, acc1));
    for (; i < n; ++i) s += int32_t{a[i]} * int32_t{b[i]};
    return s;
}

__attribute__((target("avx2"))) int32_t dot_i8_avx2(const int8_t* a, const int8_t* b, size_t n) {
    return dot_i8_avx2_inl(a, b, n);
}

__attribute__((target("avx2"))) float q_ip_avx2(const void* a, const void* b, const void* param) {
    const size_t n = dim_of(param);
    return 1.0f - estimated_dot(head(a), head(b), dot_i8_avx2_inl(codes(a), codes(b), n), n);
}

__attribute__((target("avx2"))) float q_l2_avx2(const void* a, const void* b, const void* param) {
    const size_t n = dim_of(param);
    return head(a).norm2 + head(b).norm2 -
           2.0f * estimated_dot(head(a), head(b), dot_i8_avx2_inl(codes(a), codes(b), n), n);
}

__attribute__((target("avx2,fma"))) float f_l2_avx2(const void* a, const void* b,
                                                    const void* param) {
    const auto* x = static_cast<const float*>(a);
    const auto* y = static_cast<const float*>(b);
    const size_t n = dim_of(param);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) {
        const float d = x[i] - y[i];
        s += d * d;
    }
    return s;
}

__attribute__((target("avx2,fma"))) float f_ip_avx2(const void* a, const void* b,
                                                    const void* param) {
    const auto* x = static_cast<const float*>(a);
    const auto* y = static_cast<const float*>(b);
    const size_t n = dim_of(param);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) s += x[i] * y[i];
    return 1.0f - s;
}

// (GCC 12's _mm512_reduce_add_epi32 warns about an uninitialised register under -Wextra.)
__attribute__((target("avx512f"))) inline int32_t hsum512_epi32(__m512i v) {
    return hsum256_epi32(
        _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

// ---- AVX-512BW: 64 codes a step, and a masked load for the tail instead of a scalar loop.
// AVX-512 has no sign_epi8: b is negated under the mask of a's negative bytes.

__attribute__((target("avx512f,avx512bw"))) inline int32_t dot_i8_avx512bw_inl(const int8_t* a,
                                                                               const int8_t* b,
                                                                               size_t n) {
    const __m512i ones = _mm512_set1_epi16(1);
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc = _mm512_setzero_si512();
    for (size_t i = 0; i < n; i += 64) {
        const __mmask64 m = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
        const __m512i x = _mm512_maskz_loadu_epi8(m, a + i);
        const __m512i y = _mm512_maskz_loadu_epi8(m, b + i);
        const __m512i sy = _mm512_mask_sub_epi8(y, _mm512_movepi8_mask(x), zero, y);
        acc = _mm512_add_epi32(
            acc, _mm512_madd_epi16(_mm512_maddubs_epi16(_mm512_abs_epi8(x), sy), ones));
    }
    return hsum512_epi32(acc);
}

// VNNI's dpbusd sums four u8 x s8 products straight into 32 bits.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) inline int32_t dot_i8_avx512vnni_inl(
    const int8_t* a, const int8_t* b, size_t n) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc = _mm512_setzero_si512();
    for (size_t i = 0; i < n; i += 64) {
        const __mmask64 m = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
        const __m512i x = _mm512_maskz_loadu_epi8(m, a + i);
        const __m512i y = _mm512_maskz_loadu_epi8(m, b + i);
        const __m512i sy = _mm512_mask_sub_epi8(y, _mm512_movepi8_mask(x), zero, y);
        acc = _mm512_dpbusd_epi32(acc, _mm512_abs_epi8(x), sy);
    }
    return hsum512_epi32(acc);
}

__attribute__((target("avx512f,avx512bw"))) int32_t dot_i8_avx512bw(const int8_t* a,
                                                                    const int8_t* b, size_t n) {
    return dot_i8_avx512bw_inl(a, b, n);
}
__attribute__((target("avx512f,avx512bw,avx512vnni"))) int32_t dot_i8_avx512vnni(const int8_t* a,
                                                                                 const int8_t* b,
                                                                                 size_t n) {
    return dot_i8_avx512vnni_inl(a, b, n);
}

__attribute__((target("avx512f,avx512bw"))) float q_ip_avx512bw(const void* a, const void* b,
                                                                const void* param) {
    const size_t n = dim_of(param);
    return 1.0f - estimated_dot(head(a), head(b), dot_i8_avx512bw_inl(codes(a), codes(b), n), n);
}
__attribute__((target("avx512f,avx512bw"))) float q_l2_avx512bw(const void* a, const void* b,
                                                                const void* param) {
    const size_t n = dim_of(param);
    return head(a).norm2 + head(b).norm2 -
           2.0f * estimated_dot(head(a), head(b), dot_i8_avx512bw_inl(codes(a), codes(b), n), n);
}
__attribute__((target("avx512f,avx512bw,avx512vnni"))) float q_ip_avx512vnni(const void* a,
                                                                             const void* b,
                                                                             const void* param) {
    const size_t n = dim_of(param);
    return 1.0f - estimated_dot(head(a), head(b), dot_i8_avx512vnni_inl(codes(a), codes(b), n), n);
}
__attribute__((target("avx512f,avx512bw,avx512vnni"))) float q_l2_avx512vnni(const void* a,
                                                                             const void* b,
                                                                             const void* param) {
    const size_t n = dim_of(param);
    return head(a).norm2 + head(b).norm2 -
           2.0f * estimated_dot(head(a), head(b), dot_i8_avx512vnni_inl(codes(a), codes(b), n), n);
}

#endif  // __x86_64__

}  // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return "scalar";
        case Isa::Avx2: return "avx2";
        case Isa::Avx512Bw: return "avx512bw";
        case Isa::Avx512Vnni: return "avx512vnni";
    }
    return "?";
}

bool isa_supported(Isa isa) {
#if defined(__x86_64__)
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    static const bool bw =
        avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    static const bool vnni = bw && __builtin_cpu_supports("avx512vnni");
    switch (isa) {
        case Isa::Scalar: return true;
        case Isa::Avx2: return avx2;
        case Isa::Avx512Bw: return bw;
        case Isa::Avx512Vnni: return vnni;
    }
    return false;
#else
    return isa == Isa::Scalar;
#endif
}

namespace {
std::atomic<uint8_t> g_isa_limit{static_cast<uint8_t>(Isa::Avx512Vnni)};
}

Isa best_isa() {
    static const Isa best = [] {
        for (Isa i : {Isa::Avx512Vnni, Isa::Avx512Bw, Isa::Avx2})
            if (isa_supported(i)) return i;
        return Isa::Scalar;
    }();
    return static_cast<Isa>(std::min(static_cast<uint8_t>(best), g_isa_limit.load()));
}

void limit_isa(Isa highest) { g_isa_limit.store(static_cast<uint8_t>(highest)); }

size_t code_bytes(size_t dim) { return sizeof(QHead) + (dim + 3) / 4 * 4; }

void encode(const float* x, size_t dim, void* out) {
    float lo = x[0], hi = x[0];
    double norm2 = 0;
    for (size_t i = 0; i < dim; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
        norm2 += double{x[i]} * double{x[i]};
    }
    QHead h{};
    h.offset = lo / 2 + hi / 2;  // halves first: lo + hi may overflow
    h.scale = (hi / 2 - lo / 2) / 127.0f;
    auto* c = reinterpret_cast<int8_t*>(static_cast<char*>(out) + sizeof(QHead));
    int32_t sum = 0;
    // A subnormal scale has no finite inverse (a range of 1e-38 gives 1/scale = inf, and
    // 0 * inf is NaN, no code); such a range is below anything the codes could tell apart.
    const float inv = h.scale > 0 ? 1.0f / h.scale : 0.0f;
    if (h.scale > 0 && std::isfinite(h.scale) && std::isfinite(inv)) {
        for (size_t i = 0; i < dim; ++i) {
            const float q = std::nearbyint((x[i] - h.offset) * inv);
            c[i] = static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
            sum += c[i];
        }
    } else {
        // Every coordinate equal (or a range past float's, or one too small to invert): the
        // offset alone says it.
        h.scale = 0;
        std::memset(c, 0, dim);
    }
    std::memset(c + dim, 0, code_bytes(dim) - sizeof(QHead) - dim);
    h.scaled_sum = h.scale * static_cast<float>(sum);
    h.norm2 = static_cast<float>(norm2);
    std::memcpy(out, &h, sizeof h);
}

DotI8 dot_i8(Isa isa) {
#if defined(__x86_64__)
    switch (isa) {
        case Isa::Avx2: return dot_i8_avx2;
        case Isa::Avx512Bw: return dot_i8_avx512bw;
        case Isa::Avx512Vnni: return dot_i8_avx512vnni;
        case Isa::Scalar: break;
    }
#endif
    (void)isa;
    return dot_i8_scalar;
}

DistFn quantized_ip_distance(Isa isa) {
#if defined(__x86_64__)
    switch (isa) {
        case Isa::Avx2: return q_ip_avx2;
        case Isa::Avx512Bw: return q_ip_avx512bw;
        case Isa::Avx512Vnni: return q_ip_avx512vnni;
        case Isa::Scalar: break;
    }
#endif
    (void)isa;
    return q_ip<dot_i8_scalar>;
}

DistFn quantized_l2_distance(Isa isa) {
#if defined(__x86_64__)
    switch (isa) {
        case Isa::Avx2: return q_l2_avx2;
        case Isa::Avx512Bw: return q_l2_avx512bw;
        case Isa::Avx512Vnni: return q_l2_avx512vnni;
        case Isa::Scalar: break;
    }
#endif
    (void)isa;
    return q_l2<dot_i8_scalar>;
}

// The float kernels are the re-rank's, a few dozen per query: AVX2 is plenty.
DistFn float_ip_distance(Isa isa) {
#if defined(__x86_64__)
    if (isa != Isa::Scalar) return f_ip_avx2;
#endif
    (void)isa;
    return f_ip_scalar;
}

DistFn float_l2_distance(Isa isa) {
#if defined(__x86_64__)
    if (isa != Isa::Scalar) return f_l2_avx2;
#endif
    (void)isa;
    return f_l2_scalar;
}

}  // namespace lora::storage::vk
