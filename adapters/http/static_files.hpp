// The web application's files (issue 12; web/, built by the build into BUILD/web): `ocop serve
// --web DIR` reads the directory whole into memory at start and answers GET and HEAD for paths
// that are not API routes. docs/web.md ("Served by ocop serve") documents it.
//
// - A path names a file of the directory, or nothing: lookups are in the map made at start, so
//   no request can reach outside it (and parse_target already refuses "." and ".." segments).
// - Files under /assets/ are content-hashed by the build: cached a year (immutable); every other
//   file (index.html) is revalidated (no-cache) with its ETag, answering 304 when unchanged.
// - An application route (any other path, outside /api/) that is no file gets index.html: the
//   page's router shows it. A missing file (under /assets/, or named with a file type's
//   extension: .js, .css, .html, .svg, ...) is 404, and nothing under /api/ is ever answered
//   from here.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http/http.hpp"
#include "ocop/status.hpp"

namespace ocop::http {

class StaticSite {
 public:
  // Reads every regular file under `dir` (symbolic links are skipped); bad input when the
  // directory cannot be read, has no index.html, or holds more than kMaxBytes.
  static Status load(const std::string& dir, std::unique_ptr<StaticSite>& out);
  static constexpr std::size_t kMaxBytes = 64u << 20;

  // The answer to a GET or HEAD of `req`, or nothing when the path is not the site's (an API
  // path, a missing file with an extension, another method).
  std::optional<Response> answer(const Request& req) const;

  std::size_t files() const { return files_.size(); }
  std::size_t bytes() const { return bytes_; }
  const std::string& dir() const { return dir_; }

 private:
  struct File {
    std::string body;
    std::string type;
    std::string etag;
    bool immutable = false;
  };
  Response send(const Request& req, const File& f) const;

  std::string dir_;
  std::map<std::string, File> files_;  // by path: "/index.html", "/assets/app-HASH.js"
  std::size_t bytes_ = 0;
};

// The directory `ocop serve` serves when --web is not given: $OCOP_WEB_DIR, else the first of
// "web" beside the executable (the build's build/ocop and build/web) and ../share/ocop/web (the
// package's /usr/bin/ocop and /usr/share/ocop/web) that holds index.html, else "" (the API only).
std::string default_web_dir();

}  // namespace ocop::http
