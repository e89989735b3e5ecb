#include "plugin.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace ocop {
namespace {

// The directory of the running executable ("" when /proc is not there).
std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

std::vector<std::string> plugin_dirs() {
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
  return dirs;
}

struct Loaded {
  void* handle = nullptr;
  std::string error;
};

}  // namespace

void* plugin_symbol(const char* file, const char* symbol, std::string& error) {
  static std::mutex mu;
  static std::map<std::string, Loaded> modules;  // by file name, kept for the process
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = modules.try_emplace(file);
  Loaded& m = it->second;
  if (fresh) {
    std::string tried;
    for (const std::string& d : plugin_dirs()) {
      const std::string path = d + "/" + file;
      if ((m.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
      const char* why = dlerror();
      tried += "; " + (why ? std::string(why) : path);
    }
    if (!m.handle)
      m.error = "could not be loaded" +
                (tried.empty() ? std::string(": no directory to look in") : tried) +
                " (set OCOP_PLUGIN_DIR to the directory that holds it)";
  }
  if (!m.handle) {
    error = m.error;
    return nullptr;
  }
  void* sym = dlsym(m.handle, symbol);
  if (!sym) error = std::string("has no ") + symbol + " (a module of another version of ocop?)";
  return sym;
}

}  // namespace ocop
