# Conveniences over scripts/ (the README's two commands are scripts/demo.sh and scripts/test.sh,
# which need nothing but bash and Python on a fresh machine).
.PHONY: demo test lint screenshots bench format
demo:
	./scripts/demo.sh
test:
	./scripts/test.sh
lint:
	./scripts/lint.sh
format:
	.venv/bin/ruff format kiosk drivers central ui kiosk_demo tests bench
	.venv/bin/ruff check --fix .
screenshots:
	./scripts/screenshots.sh
