"""Which page of the unicorn shop a request path is: home, category, product, ...

Classification by path segments, ignoring leading/trailing slashes (the query string is
already removed). The workshop's original slash-less paths (`home/`, `products/Armawoo/`)
and singular segment names (`product/`, `category/`) are accepted:

  /, /home                              -> ("home", None, None)
  /categories/<category>                -> ("category", <category>, None)
  /products/<Product>                   -> ("product", None, <Product>)
  /signin, /signup, /cart, /checkout    -> (that name, None, None)
  anything else                         -> ("other", None, None)

`/categories` or `/products` without a name (the workshop's generator logs
`categories//`) is still that kind of page, with the name null. Names are
percent-decoded (`Big%20Unicorn` -> `Big Unicorn`); page keywords are case-insensitive.
"""

from urllib.parse import unquote

_SINGLE_PAGES = {"home": "home", "signin": "signin", "signup": "signup", "cart": "cart", "checkout": "checkout"}
_LISTING_PAGES = {"categories": "category", "category": "category", "products": "product", "product": "product"}

ShopPage = tuple[str, str | None, str | None]  # (page, category, product)

_OTHER: ShopPage = ("other", None, None)


def classify_path(path: str | None) -> ShopPage:
    """(page, category, product) of a request path without its query string."""
    if path is None:
        return _OTHER
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return ("home", None, None)
    keyword = segments[0].lower()
    if len(segments) == 1 and keyword in _SINGLE_PAGES:
        return (_SINGLE_PAGES[keyword], None, None)
    page = _LISTING_PAGES.get(keyword)
    if page is None or len(segments) > 2:
        return _OTHER
    name = unquote(segments[1]) if len(segments) == 2 else None
    return (page, name, None) if page == "category" else (page, None, name)
