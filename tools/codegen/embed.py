#!/usr/bin/env python3
"""Embeds a file into a C++ source as a string constant (run by the build).

  embed.py INPUT OUTPUT NAMESPACE FUNCTION   defines `std::string_view NAMESPACE::FUNCTION()`
"""
import sys


def main():
    src, out, namespace, function = sys.argv[1:5]
    data = open(src, encoding="utf-8").read()
    delimiter = "kembed"
    if ")" + delimiter + '"' in data:
        raise SystemExit("embed.py: the delimiter occurs in the input")
    # Many moderate raw literals (concatenated by the compiler) keep every compiler happy.
    chunks = [data[i:i + 60000] for i in range(0, len(data), 60000)]
    text = ["// Embedded from " + src.split("/")[-1] + " by tools/codegen/embed.py at build time.",
            "#include <string_view>", "", f"namespace {namespace} {{", "",
            "namespace {", "constexpr char kData[] ="]
    for chunk in chunks:
        text.append(f'    R"{delimiter}({chunk}){delimiter}"')
    text[-1] += ";"
    text += ["}  // namespace", "",
             f"std::string_view {function}() {{ return std::string_view(kData, sizeof kData - 1); }}", "",
             f"}}  // namespace {namespace}", ""]
    new = "\n".join(text)
    try:
        if open(out, encoding="utf-8").read() == new:
            return
    except OSError:
        pass
    with open(out, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
