"""Celery tasks of the delivery app: thin, take ids, idempotent, acknowledged late."""

from celery import shared_task

from delivery import services


@shared_task(acks_late=True)
def evaluate_product(product_id: int) -> str:
    """Recompute one product's SLA periods and incidents. Running it twice changes nothing the
    second time (the evaluation compares a hash of its result with the stored one)."""
    from products.models import ComputeProduct

    if not ComputeProduct.objects.filter(pk=product_id).exists():
        return "gone"
    result = services.product_evaluate(product_id=product_id)
    return f"{'changed' if result.changed else 'unchanged'}; breaches {len(result.breaches)}"


@shared_task(acks_late=True)
def evaluate_all() -> int:
    """Beat entry: queue an evaluation of every approved, listed or suspended product."""
    ids = services.products_to_evaluate()
    for product_id in ids:
        evaluate_product.delay(product_id)
    return len(ids)
