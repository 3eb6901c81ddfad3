import { ApiError, type Product } from '../api';
import type { Cart } from '../cart';
import { h, setChildren } from '../dom';
import { type Page, pageTitle } from '../page';
import { alertBox, describeError, loading, pageLayout, toast } from '../ui';

/**
 * The shop (clickstream's API: GET /clicks/products, /clicks/products/{productId}): the thermostats the
 * store sells and a page for each, with a cart kept in this browser. Anyone may shop, signed in or not.
 * Each page sends its clicks (a page view, a product view, an add to cart) through context.clicks, in
 * batches, to POST /clicks and on to the lake. The click's page is the shop's own path (/shop,
 * /shop/<productId>), as the load generator's shoppers send it.
 */

/** USD: the store's currency (shared/src/schemas/events/clicks.ts). */
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  smart: 'Smart',
  programmable: 'Programmable',
  mechanical: 'Mechanical',
  accessories: 'Accessory',
};
const categoryLabel = (category: string) => CATEGORY_LABELS[category] ?? category;

const productHref = (productId: string) => `#/shop/${encodeURIComponent(productId)}`;

export const shopPage: Page = (context) => {
  const { cart } = context;
  const list = h('div', { class: 'shop', 'aria-live': 'polite', 'aria-busy': 'true' });
  context.clicks.record('page_view', '/shop');

  const show = (products: Product[]) => {
    list.setAttribute('aria-busy', 'false');
    if (products.length === 0) {
      list.replaceChildren(
        h(
          'div',
          { class: 'empty' },
          h('h2', {}, 'Nothing for sale yet'),
          h('p', {}, 'The store has no thermostats on offer at the moment. Come back soon.'),
        ),
      );
      return;
    }
    list.replaceChildren(
      h('p', { class: 'count' }, products.length === 1 ? '1 product' : `${products.length} products`),
      h(
        'ul',
        { class: 'product-list' },
        products.map((product) =>
          h(
            'li',
            { class: 'card product' },
            h(
              'h2',
              { class: 'product-name' },
              h('a', { href: productHref(product.productId) }, product.name),
            ),
            h(
              'p',
              { class: 'product-meta' },
              h('span', { class: 'badge' }, categoryLabel(product.category)),
              h('span', { class: 'price' }, money.format(product.price)),
            ),
            product.description !== '' && h('p', { class: 'product-description' }, product.description),
          ),
        ),
      ),
    );
  };

  const load = () => {
    list.setAttribute('aria-busy', 'true');
    list.replaceChildren(loading('Loading the thermostats…'));
    context.api.listProducts(context.signal).then(show, (error: unknown) => {
      if (context.signal.aborted) return;
      list.setAttribute('aria-busy', 'false');
      list.replaceChildren(
        alertBox(
          'error',
          `The products could not be loaded. ${describeError(error).message}`,
          h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
        ),
      );
    });
  };
  load();

  return pageLayout(
    context.flash,
    'Shop',
    undefined,
    h(
      'p',
      { class: 'lead' },
      'Thermostats and accessories for every home, from the makers of Thermostat Cloud.',
    ),
    cartSummary(cart).element,
    list,
  );
};

export const productPage: Page = (context) => {
  const productId = context.params.get('productId') ?? '';
  const { cart } = context;
  const summary = cartSummary(cart);
  const content = h('div', { class: 'product-page', 'aria-live': 'polite', 'aria-busy': 'true' });
  const heading = h('h1', { tabindex: -1 }, 'Product');

  const show = (product: Product) => {
    heading.textContent = product.name;
    document.title = pageTitle(product.name);
    context.clicks.record('product_view', `/shop/${product.productId}`, product.productId);
    const inCart = h(
      'p',
      { class: 'in-cart', role: 'status' },
      inCartText(cart.quantityOf(product.productId)),
    );
    const add = h('button', { type: 'button', class: 'button primary' }, 'Add to cart');
    add.addEventListener('click', () => {
      const quantity = cart.add(product);
      context.clicks.record('add_to_cart', `/shop/${product.productId}`, product.productId);
      inCart.textContent = inCartText(quantity);
      summary.update();
      toast(`${product.name} added to your cart`);
    });
    content.setAttribute('aria-busy', 'false');
    content.replaceChildren(
      h(
        'section',
        { class: 'card product-detail', 'aria-label': product.name },
        h(
          'p',
          { class: 'product-meta' },
          h('span', { class: 'badge' }, categoryLabel(product.category)),
          h('span', { class: 'price price-large' }, money.format(product.price)),
        ),
        product.description !== '' && h('p', { class: 'product-description' }, product.description),
        h('div', { class: 'product-actions' }, add, inCart),
      ),
    );
  };

  const load = () => {
    content.setAttribute('aria-busy', 'true');
    content.replaceChildren(loading('Loading the product…'));
    context.api.getProduct(productId, context.signal).then(show, (error: unknown) => {
      if (context.signal.aborted) return;
      content.setAttribute('aria-busy', 'false');
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        heading.textContent = 'Product not found';
        content.replaceChildren(
          alertBox('info', 'The store does not sell this product (any more).', shopLink('See what it sells')),
        );
        return;
      }
      content.replaceChildren(
        alertBox(
          'error',
          `The product could not be loaded. ${describeError(error).message}`,
          h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
        ),
      );
    });
  };
  load();

  return h(
    'div',
    { class: 'page' },
    h('p', { class: 'breadcrumb' }, shopLink('← All thermostats')),
    h('div', { class: 'page-head' }, heading),
    content,
    summary.element,
  );
};

function shopLink(label: string): HTMLAnchorElement {
  return h('a', { href: '#/shop' }, label);
}

function inCartText(quantity: number): string {
  if (quantity === 0) return 'Not in your cart yet.';
  return quantity === 1 ? '1 in your cart.' : `${quantity} in your cart.`;
}

/** The cart, as a region of the page: its lines and total, kept up to date as things are added. */
function cartSummary(cart: Cart): { element: HTMLElement; update(): void } {
  const element = h('section', { class: 'card cart', 'aria-labelledby': 'cart-title' });
  const update = () => {
    const lines = cart.lines();
    const count = cart.count();
    const emptyButton = h('button', { type: 'button', class: 'button quiet small' }, 'Empty the cart');
    emptyButton.addEventListener('click', () => {
      cart.empty();
      update();
      toast('Your cart is empty');
    });
    setChildren(
      element,
      h(
        'div',
        { class: 'cart-head' },
        h('h2', { id: 'cart-title' }, 'Cart'),
        h('span', { class: 'count' }, count === 1 ? '1 item' : `${count} items`),
      ),
      lines.length === 0
        ? h('p', { class: 'hint' }, 'Your cart is empty.')
        : [
            h(
              'ul',
              { class: 'cart-lines' },
              lines.map((line) =>
                h(
                  'li',
                  {},
                  h('a', { href: productHref(line.productId) }, line.name),
                  h('span', { class: 'cart-quantity' }, `× ${line.quantity}`),
                  h('span', { class: 'price' }, money.format(line.price * line.quantity)),
                ),
              ),
            ),
            h(
              'p',
              { class: 'cart-total' },
              h('span', {}, 'Total'),
              h('strong', { class: 'price' }, money.format(cart.total())),
            ),
            h(
              'div',
              { class: 'cart-actions' },
              h('p', { class: 'hint' }, 'Kept in this browser; checkout is not open yet.'),
              emptyButton,
            ),
          ],
    );
  };
  update();
  return { element, update };
}
