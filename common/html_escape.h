// HTML escaping, as Python's markupsafe does it (what Jinja's `escape` filter gives): safe in
// element text and in quoted attribute values.
#pragma once

#include <string>
#include <string_view>

namespace augsweep {

// & < > " ' as &amp; &lt; &gt; &#34; &#39;; every other byte as is.
std::string HtmlEscape(std::string_view text);

}  // namespace augsweep
