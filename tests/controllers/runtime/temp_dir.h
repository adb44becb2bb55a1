// A temporary directory for a test, removed with its files at the end.
#ifndef KT_TESTS_CONTROLLERS_RUNTIME_TEMP_DIR_H_
#define KT_TESTS_CONTROLLERS_RUNTIME_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace kt::ctrl::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kt-runtime-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::string path_;
};

}  // namespace kt::ctrl::testing

#endif  // KT_TESTS_CONTROLLERS_RUNTIME_TEMP_DIR_H_
