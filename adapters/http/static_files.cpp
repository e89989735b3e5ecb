#include "http/static_files.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "ocop/sha256.hpp"

namespace ocop::http {

namespace fs = std::filesystem;

namespace {

std::string content_type(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool api_path(const Request& req) {
  if (req.segments.empty()) return false;
  const std::string& first = req.segments.front();
  return first == "api" || first == "healthz" || first == "metrics";
}

}  // namespace

Status StaticSite::load(const std::string& dir, std::unique_ptr<StaticSite>& out) {
  auto site = std::make_unique<StaticSite>();
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(root, ec))
    return Status::BadInput("--web " + dir + ": not a directory (build the web application: docs/web.md)");
  site->dir_ = root.string();
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    const std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (ec) break;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) return Status::BadInput("--web " + dir + ": cannot read " + rel);
    File f;
    f.body = buf.str();
    site->bytes_ += f.body.size();
    if (site->bytes_ > kMaxBytes)
      return Status::BadInput("--web " + dir + ": more than " + std::to_string(kMaxBytes >> 20) +
                              " MiB of files (is it the built directory?)");
    f.type = content_type(rel);
    f.etag = "\"" + sha256_hex(f.body).substr(0, 32) + "\"";
    f.immutable = rel.rfind("assets/", 0) == 0;
    site->files_.emplace("/" + rel, std::move(f));
  }
  if (ec) return Status::BadInput("--web " + dir + ": " + ec.message());
  if (!site->files_.count("/index.html"))
    return Status::BadInput("--web " + dir + ": no index.html (build the web application: docs/web.md)");
  out = std::move(site);
  return Status::Ok();
}

Response StaticSite::send(const Request& req, const File& f) const {
  Response r;
  r.set("ETag", f.etag);
  r.set("Cache-Control", f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.header("if-none-match") == f.etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = f.type;
  r.body = f.body;
  return r;
}

std::optional<Response> StaticSite::answer(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  if (api_path(req)) return std::nullopt;
  std::string path;
  bool plain = true;  // no segment holds an encoded "/" or "\"
  for (const auto& s : req.segments) {
    path += "/" + s;
    plain = plain && s.find('/') == std::string::npos && s.find('\\') == std::string::npos;
  }
  if (!plain) return std::nullopt;  // an encoded "/" or "\" names no file and no page
  if (path.empty()) path = "/index.html";
  if (auto it = files_.find(path); it != files_.end()) return send(req, it->second);
  // A missing file (under /assets/, or a name with a file type's extension) is 404; any other
  // path is an application route (a dossier's id may hold a dot: /ho-so/TQ.2026.1).
  const std::string& last = req.segments.empty() ? std::string() : req.segments.back();
  if (req.segments.size() > 0 && req.segments.front() == "assets") return std::nullopt;
  if (content_type(last) != "application/octet-stream") return std::nullopt;
  return send(req, files_.at("/index.html"));
}

std::string default_web_dir() {
  if (const char* env = std::getenv("OCOP_WEB_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (const fs::path& web : {exe.parent_path() / "web", exe.parent_path().parent_path() / "share" / "ocop" / "web"})
    if (fs::is_regular_file(web / "index.html", ec)) return web.string();
  return "";
}

}  // namespace ocop::http
