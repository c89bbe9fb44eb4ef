# The two set-up commands (see README.md). Everything lives in .stack/.
.PHONY: run test test-fast stop status install benchmark benchmark-harvest benchmark-load

run:      ## install and start the whole stack, load the demo registry, serve CKAN
	bash devstack/stack.sh run

test:     ## install what is missing, start the services, run the whole test suite
	bash devstack/stack.sh test $(PYTEST_ARGS)

test-fast: ## the same without the live tests (second CKAN site, browser, subprocesses)
	bash devstack/stack.sh test -m "not live" $(PYTEST_ARGS)

stop:     ## stop CKAN, Solr, Redis and PostgreSQL
	bash devstack/stack.sh stop

status:
	bash devstack/stack.sh status

install:
	bash devstack/stack.sh install

benchmark: ## load synthetic records and measure map, export and search (see README)
	bash devstack/stack.sh benchmark $(BENCH_ARGS)

benchmark-harvest: ## harvest 1,000 records between two local sites, registry vs stock harvester
	bash devstack/stack.sh benchmark-harvest $(BENCH_ARGS)

benchmark-load: ## 50 clients x 60 s per page through nginx against make run's site (wrk)
	bash devstack/stack.sh benchmark-load $(BENCH_ARGS)
