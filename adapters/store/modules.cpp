#include "store/modules.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace ocop {

namespace {
std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}
}  // namespace

void* open_module(const std::string& file, std::string& tried) {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("OCOP_PLUGIN_DIR"); d && *d) dirs.emplace_back(d);
  if (std::string d = executable_dir(); !d.empty()) {
    dirs.push_back(d);
#ifdef OCOP_PLUGIN_RELATIVE_DIR
    dirs.push_back(d + "/../" + OCOP_PLUGIN_RELATIVE_DIR);  // an installed tree, wherever it is
#endif
  }
#ifdef OCOP_PLUGIN_INSTALL_DIR
  dirs.emplace_back(OCOP_PLUGIN_INSTALL_DIR);
#endif
  tried.clear();
  for (const std::string& d : dirs) {
    const std::string path = d + "/" + file;
    if (void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return lib;
    const char* why = dlerror();
    tried += "; " + (why ? std::string(why) : path);
  }
  if (dirs.empty()) tried = ": no directory to look in";
  return nullptr;
}

}  // namespace ocop
