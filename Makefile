# The two commands of the README: `make run` and `make test`. Both set everything up first.
.PHONY: run test setup bench lint install-desktop uninstall-desktop package screenshots wheel

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python main.py $(ARGS)

test: setup
	@bash scripts/test.sh

bench: setup
	.venv/bin/python -m bench $(ARGS)

# imapp in this user's desktop menu (launcher, entry, icons, imapp:// handler), and out again
install-desktop: setup
	.venv/bin/python -m appstore desktop install

uninstall-desktop: setup
	.venv/bin/python -m appstore desktop uninstall

# dist/appstore-VERSION-py3-none-any.whl (pip install it anywhere; the build compiles the .qm files)
wheel: setup
	rm -rf build/lib build/bdist.*  # (a leftover build/lib would ship modules moved since, e.g. cli_*.py)
	.venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w dist .
	rm -rf appstore.egg-info build/lib build/bdist.*  # (setuptools' leftovers in the checkout)

# dist/imapp/: a one-folder bundle that runs without Python or the .venv (packaging/imapp.spec)
package: setup
	@bash scripts/package.sh

# docs/screenshots/: the README's pictures, rendered by the app itself
screenshots: setup
	.venv/bin/python scripts/screenshots.py
