from django import forms

from lodestar.core.forms import StyledForm
from lodestar.planning.models import FeatureStatus


class FeatureForm(StyledForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    status = forms.ChoiceField(choices=FeatureStatus.choices, initial=FeatureStatus.IDEA)
    product_key = forms.ChoiceField(required=False, label="Product")

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        product = self.fields["product_key"]
        assert isinstance(product, forms.ChoiceField)
        product.choices = [("", "—"), *products]
