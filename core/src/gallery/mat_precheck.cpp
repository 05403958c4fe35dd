// No Debian library validates MAT-files (matio trusts the sizes it reads and allocates them), so
// this small walker of the MAT-file v5 layout is our own. It mirrors libmatio 1.5.23's reader
// (mat5.c: Mat_VarReadNextInfo5, ReadNextCell, ReadNextStructField, Mat_VarRead5) closely enough
// that what it accepts, matio reads the same way.
#include "mat_precheck.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lookalike {
namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

enum : u32 { miINT8 = 1, miINT32 = 5, miUINT32 = 6, miMATRIX = 14, miCOMPRESSED = 15 };
enum : u32 { mxCELL = 1, mxSTRUCT = 2, mxCHAR = 4, mxDOUBLE = 6, mxUINT64 = 15 };
constexpr int kMaxDepth = 32;
constexpr u32 kMaxRank = 13;       // matio's compressed reader loses its place above 13 dims
constexpr u32 kMaxFieldName = 64;  // MATLAB's namelengthmax (63) + NUL; matio copies it per element
constexpr u64 kMaxInflate = 1100;  // deflate cannot exceed ~1032:1
constexpr u64 kMaxInflated = 0x7fffffff;  // matio skips inflated bytes with an int count

struct Damaged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string str(u64 n) {
  return std::to_string(n);
}

// Bytes of one stored value by data type (miINT8 = 1 ... miUTF32 = 18); 0: no numbers or text.
constexpr unsigned char kTypeSize[] = {0, 1, 1, 2, 2, 4, 4, 4, 0, 8, 0, 0, 8, 8, 0, 0, 1, 2, 4};

// A sequential byte source: the file, or the inflated content of one miCOMPRESSED element.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual void read(void* out, std::size_t n) = 0;
  virtual void skip(u64 n) = 0;
};

// The unread part of one container (the file, an element's content); every read stays inside.
struct Box {
  Stream& s;
  u64 left;
  void need(u64 n) const {
    if (n > left) throw Damaged(str(n) + " more bytes needed but only " + str(left) + " remain");
  }
  void read(void* out, std::size_t n) {
    need(n);
    s.read(out, n);
    left -= n;
  }
  void skip(u64 n) {
    need(n);
    s.skip(n);
    left -= n;
  }
  Box take(u64 n) {  // the next n bytes as a container of their own; the caller consumes them
    need(n);
    left -= n;
    return {s, n};
  }
};

class FileStream final : public Stream {
 public:
  explicit FileStream(std::FILE* f) : f_(f) {}
  void read(void* out, std::size_t n) override {
    if (std::fread(out, 1, n, f_) != n) throw Damaged("the file ends early");
  }
  void skip(u64 n) override {  // reads short skips: a seek drops stdio's buffer
    char buf[4096];
    if (n <= sizeof buf) return read(buf, static_cast<std::size_t>(n));
    if (fseeko(f_, static_cast<off_t>(n), SEEK_CUR) != 0) throw Damaged("cannot seek");
  }

 private:
  std::FILE* f_;
};

// Inflates the compressed bytes of `packed` on demand, 16 KB at a time. A broken or ended
// stream fails only the read that needs bytes past what it inflated.
class InflateStream final : public Stream {
 public:
  explicit InflateStream(Box& packed) : packed_(packed), in_(16384), out_(16384) {
    if (inflateInit(&z_) != Z_OK) throw std::runtime_error("zlib: inflateInit failed");
  }
  ~InflateStream() override { inflateEnd(&z_); }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  void read(void* out, std::size_t n) override { take(static_cast<Bytef*>(out), n); }
  void skip(u64 n) override { take(nullptr, n); }

 private:
  void take(Bytef* to, u64 n) {  // copies the next n inflated bytes to `to`, or drops them
    while (n > 0) {
      if (pos_ == have_) refill();
      const auto k = static_cast<std::size_t>(std::min<u64>(n, have_ - pos_));
      if (to) to = std::copy_n(out_.data() + pos_, k, to);
      pos_ += k;
      n -= k;
    }
  }
  void refill() {
    if (!failure_.empty()) throw Damaged(failure_);
    z_.next_out = out_.data();
    z_.avail_out = static_cast<uInt>(out_.size());
    while (z_.avail_out > 0 && failure_.empty()) {
      if (z_.avail_in == 0) {
        const auto k = static_cast<std::size_t>(std::min<u64>(packed_.left, in_.size()));
        packed_.read(in_.data(), k);
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(k);
      }
      const int r = z_.avail_in == 0 ? Z_BUF_ERROR : inflate(&z_, Z_NO_FLUSH);
      if (r == Z_STREAM_END || r == Z_BUF_ERROR) failure_ = "the compressed data ends early";
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
        failure_ =
            std::string("corrupt compressed data (zlib: ") + (z_.msg ? z_.msg : zError(r)) + ")";
    }
    pos_ = 0;
    have_ = out_.size() - z_.avail_out;
    if (have_ == 0) throw Damaged(failure_);
  }

  Box& packed_;
  std::vector<Bytef> in_, out_;
  std::size_t pos_ = 0, have_ = 0;  // the unread inflated bytes: out_[pos_, have_)
  std::string failure_;             // why the stream cannot inflate more
  z_stream z_{};
};

struct Tag {
  u32 type, nbytes;
  bool small;  // 4-byte form: type and size in one word, up to 4 bytes of data after it
};

class Walker {
 public:
  explicit Walker(bool swap) : swap_(swap) {}

  // Top level: miMATRIX and miCOMPRESSED elements back to back (matio pads neither).
  void file(Box& f, u64 size) {
    while (f.left > 0) {
      at_ = size - f.left;
      const Tag t = tag(f);
      if (t.small || (t.type != miMATRIX && t.type != miCOMPRESSED))
        throw Damaged("a variable's element has type " + str(t.type));
      Box content = f.take(t.nbytes);
      t.type == miCOMPRESSED ? compressed(content) : matrix(content, 0, false);
      content.skip(content.left);
    }
  }
  u64 at() const { return at_; }

 private:
  void compressed(Box& packed) {
    InflateStream z(packed);
    Box inflated{z, std::min(packed.left * kMaxInflate + 1024, kMaxInflated)};
    const u64 most = inflated.left;
    const Tag t = tag(inflated, false);
    if (t.small || t.type != miMATRIX) throw Damaged("a compressed element holds no miMATRIX");
    if (t.nbytes > inflated.left)
      throw Damaged("a compressed element claims " + str(t.nbytes) + " bytes but " +
                    str(packed.left) + " compressed bytes inflate to at most " + str(most));
    Box content = inflated.take(t.nbytes);
    matrix(content, 0, false);  // what follows in the stream matio never reads
  }

  // An array: flags, dimensions, name, then the data of its class.
  void matrix(Box& b, int depth, bool field) {
    if (depth > kMaxDepth) throw Damaged("arrays nest deeper than " + str(kMaxDepth));
    const Tag flags = tag(b);
    if (flags.small || flags.type != miUINT32 || flags.nbytes != 8)
      throw Damaged("array flags are not 8 bytes of miUINT32");
    const u32 word = u32_(b), cls = word & 0xff;
    const bool complex = word & 0x800;
    (void)u32_(b);  // nzmax, sparse arrays only
    const Tag dims = tag(b);
    if (dims.small || dims.type != miINT32 || dims.nbytes % 4 != 0 || dims.nbytes < 8 ||
        dims.nbytes > 4 * kMaxRank)
      throw Damaged("array dimensions are not 2 to " + str(kMaxRank) + " miINT32 values");
    u64 count = 1;
    for (u32 i = 0; i < dims.nbytes / 4; ++i) {
      const u64 d = u32_(b);
      if (d != 0 && count > UINT64_MAX / d) throw Damaged("array dimensions overflow 64 bits");
      count *= d;
    }
    padding(b, dims.nbytes);
    const Tag name = tag(b);
    if (name.type != miINT8) throw Damaged("an array name is not miINT8");
    // matio reads struct fields' name tags but never skips the name itself.
    if (field && !name.small && name.nbytes > 0) throw Damaged("a struct field has a name");
    payload(b, name);
    if (cls == mxCELL) {
      if (count > b.left / 8)
        throw Damaged("a cell array of " + str(count) + " elements in " + str(b.left) + " bytes");
      for (u64 i = 0; i < count; ++i) nested(b, depth, false);
    } else if (cls == mxSTRUCT) {
      structure(b, count, depth);
    } else if (cls == mxCHAR || (cls >= mxDOUBLE && cls <= mxUINT64)) {
      data(b, count);
      if (complex && cls != mxCHAR) data(b, count);  // matio reads no complex char
    } else {
      // Sparse (5), object (3), function handle (16), opaque (17): matio sizes these from
      // nzmax and nested variables, and IMDB-WIKI has none, so they are refused, not walked.
      throw Damaged("an array of class " + str(cls) + " (not cell, struct, char or numeric)");
    }
  }

  // A struct: field name length, field names, then count x fields arrays.
  void structure(Box& b, u64 count, int depth) {
    const u32 w = u32_(b), len = u32_(b);
    if (w != (4u << 16 | miINT32) || len == 0 || len > kMaxFieldName)
      throw Damaged("a struct's field name length is not a small miINT32 of 1 to " +
                    str(kMaxFieldName));
    const Tag names = tag(b);
    if (names.small || names.type != miINT8 || names.nbytes % len != 0)
      throw Damaged("a struct's field names are not miINT8 of " + str(len) + " bytes each");
    payload(b, names);
    const u64 fields = names.nbytes / len;
    if (fields > 0 && count > b.left / 8 / fields)
      throw Damaged("a struct of " + str(count) + " x " + str(fields) + " fields in " +
                    str(b.left) + " bytes");
    for (u64 i = 0; i < count * fields; ++i) nested(b, depth, true);
  }

  // A cell element or struct field: an miMATRIX, empty when its size is 0.
  void nested(Box& b, int depth, bool field) {
    const Tag t = tag(b);
    if (t.small || t.type != miMATRIX) throw Damaged("a cell or field is not an miMATRIX");
    if (t.nbytes == 0) return;
    Box content = b.take(t.nbytes);
    matrix(content, depth + 1, field);
    content.skip(content.left);  // matio seeks to the element's end as well
  }

  // Numeric or char data: matio allocates count x (its class's size), so count must agree.
  void data(Box& b, u64 count) {
    const Tag t = tag(b);
    const u64 size = t.type < sizeof kTypeSize ? kTypeSize[t.type] : 0;
    if (size == 0) throw Damaged("array data of type " + str(t.type));
    if (count > t.nbytes / size)
      throw Damaged("an array of " + str(count) + " elements holds " + str(t.nbytes) +
                    " bytes of " + str(size) + "-byte values");
    payload(b, t);
  }

  // A tag: 8 bytes, or the small form's 4 (sizes up to 4 in the upper half of the first word).
  Tag tag(Box& b, bool bounded = true) {
    const u32 w = u32_(b);
    if (w >> 16 != 0) {
      if (w >> 16 > 4) throw Damaged("a small data element claims " + str(w >> 16) + " bytes");
      return {w & 0xffff, w >> 16, true};
    }
    const u32 n = u32_(b);
    if (bounded && n > b.left)
      throw Damaged("a data element claims " + str(n) + " bytes but only " + str(b.left) +
                    " remain");
    return {w, n, false};
  }
  void payload(Box& b, const Tag& t) {
    if (t.small) return b.skip(4);
    b.skip(t.nbytes);
    padding(b, t.nbytes);
  }
  // Sub-elements are padded to 8 bytes; a container may end before the padding does.
  static void padding(Box& b, u64 n) { b.skip(std::min<u64>((8 - n % 8) % 8, b.left)); }

  u32 u32_(Box& b) const {
    u32 v;
    b.read(&v, 4);
    return swap_ ? __builtin_bswap32(v) : v;
  }

  bool swap_;
  u64 at_ = 0;
};

}  // namespace

void check_mat5_structure(const std::filesystem::path& file) {
  const auto close = [](std::FILE* f) { std::fclose(f); };
  std::unique_ptr<std::FILE, decltype(close)> f(std::fopen(file.c_str(), "rb"), close);
  if (!f) throw std::runtime_error(file.string() + ": cannot open as a MATLAB file");
  const auto refuse = [&](const std::string& what) {
    throw std::runtime_error(file.string() + ": not a MATLAB v5 MAT-file: " + what);
  };
  unsigned char h[128];
  if (std::fread(h, 1, sizeof h, f.get()) != sizeof h) refuse("shorter than its 128-byte header");
  if (std::memcmp(h, "MATLAB", 6) != 0) refuse("the header text does not start with MATLAB");
  const bool little = h[126] == 'I' && h[127] == 'M';
  if (!little && !(h[126] == 'M' && h[127] == 'I')) refuse("no IM or MI byte order mark");
  const unsigned version = little ? h[125] * 256u + h[124] : h[124] * 256u + h[125];
  if (version == 0x0200) refuse("version 7.3 (HDF5); save it with -v7");
  if (version != 0x0100) refuse("version " + str(version));
  std::error_code ec;
  const u64 size = std::filesystem::file_size(file, ec);
  if (ec) throw std::runtime_error(file.string() + ": " + ec.message());
  FileStream stream(f.get());
  Box box{stream, size - sizeof h};
  Walker walker(little != (std::endian::native == std::endian::little));
  try {
    walker.file(box, size);
  } catch (const Damaged& e) {
    throw std::runtime_error(file.string() + ": damaged MAT-file: " + e.what() +
                             " (in the variable at byte " + str(walker.at()) + ")");
  }
}

}  // namespace lookalike
