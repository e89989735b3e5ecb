// `ocop certificate qr` and `ocop certificate pdf` (issue 13): a certificate's QR code and its
// printable sheet (giấy chứng nhận), through the printing module (print_module.hpp), which is
// loaded only when one of these runs. The text is composed here, in Vietnamese, from what the
// application layer made public (PublicCertificate); docs/public.md shows the result.
#pragma once

#include <string>

#include "ocop/app.hpp"
#include "ocop/status.hpp"

namespace ocop::print {

enum class QrFormat { png, svg };

// The format a file's extension asks for: .png or .svg (any case). Bad input (2) otherwise.
Status qr_format(const std::string& path, QrFormat& out);

// Whether `path` can be written: it is not a directory and its directory exists and is writable
// (bad input, 2, saying which). Checked before anything is made.
Status check_output(const std::string& path);

// The verification page's address: `base` (an option, else province.public_url) + "/verify/" +
// code. Bad input (2) when neither gives one, or the option is not http(s)://HOST[...].
Status verification_url(const std::string& option, const Config& config, const std::string& code,
                        std::string& out);

// Writes the QR code of `text` to `path`, PNG or SVG by its extension. Internal (1) when the
// module cannot be loaded or the file cannot be written to the end (the file is then removed).
Status write_qr(const std::string& text, const std::string& path);

// Writes the certificate's sheet (A4, Vietnamese, with the QR code of `url`) as a PDF. `today`:
// the day printed on it.
Status write_certificate_pdf(const PublicCertificate& c, const Config& config, const std::string& url, Date today,
                             const std::string& path);

}  // namespace ocop::print
