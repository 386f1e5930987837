// Forward declarations of the JSON reader and writer, for headers that declare read_json/write_json
// for their types without pulling in kube/core/json.h.
#pragma once

namespace kube::json {
class Reader;
class Writer;
}  // namespace kube::json
