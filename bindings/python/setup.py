"""Builds the airlog package: the pure-Python files plus airlog._airlog, compiled by CMake from the
repository root (bindings/python/CMakeLists.txt, which also builds the C++ core it links
statically). Needs the Debian build dependencies of tools/install-deps.sh; no network.

    cd bindings/python && /usr/bin/python3 -m pip install --no-index --no-build-isolation .
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def version() -> str:
    text = (ROOT / "include" / "airlog" / "version.h").read_text()
    parts = [re.search(rf"#define AIRLOG_VERSION_{p} (\d+)", text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures the repository with only the Python module enabled and builds that target."""

    def build_extension(self, ext: Extension) -> None:
        if not (ROOT / "CMakeLists.txt").is_file():
            raise RuntimeError(f"airlog: the repository root ({ROOT}) is needed to build the extension")
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        package_dir = build_dir / "package"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython3_EXECUTABLE={sys.executable}",
            f"-DAIRLOG_PYTHON_PACKAGE_DIR={package_dir}",
            "-DAIRLOG_BUILD_PYTHON=ON", "-DAIRLOG_BUILD_TESTS=OFF", "-DAIRLOG_BUILD_BENCH=OFF",
            "-DAIRLOG_BUILD_CLI=OFF", "-DAIRLOG_BUILD_SHARED=OFF",
        ]
        subprocess.run(configure, check=True)
        jobs = os.environ.get("AIRLOG_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "airlog_python", "-j", jobs], check=True)
        built = sorted((package_dir / "airlog").glob("_airlog*.so"))
        if not built:
            raise RuntimeError(f"airlog: CMake did not produce _airlog*.so in {package_dir / 'airlog'}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="airlog",
    version=version(),
    description="Apache Airflow logs to structured events at GB/s (Python binding)",
    python_requires=">=3.8",
    packages=["airlog"],
    package_data={"airlog": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("airlog._airlog")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
