// A read-only memory mapping of a whole file (RAII). Internal to core.
// Contract: the mapping lives as long as the object; bytes() is valid until destruction.
// Movable, not copyable. Throws GalleryError(io) naming the path on failure.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace lookalike::detail {

class MappedFile {
 public:
  MappedFile() = default;
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }

 private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace lookalike::detail
