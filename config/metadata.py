"""What an API route answers to OPTIONS: its name, description and the media types it renders
and parses. No form description of its serializers: that would look objects up (and fail on
routes whose view needs more than `pk`), and the OpenAPI schema describes every input anyway."""

from rest_framework.metadata import BaseMetadata


class RouteMetadata(BaseMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
