"""Gathering assessments from CQC's site: a polite client that stays on the site
(:mod:`~cqckg.fetch.client`), the site's structure as data (:mod:`~cqckg.fetch.site`, from
``cqc-site.toml``), folders of fetched files with manifests (:mod:`~cqckg.fetch.saved`), and the
crawl (:mod:`~cqckg.fetch.crawl`, :mod:`~cqckg.fetch.run`)."""
